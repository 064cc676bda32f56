package main

import (
	"bytes"
	"testing"
)

func TestRewritePrefixBoundary(t *testing.T) {
	m := mappingList{{"/a/b", "C:/x"}, {"/a", "/z"}}
	cases := map[string]string{
		"/a/b":        "C:/x",
		"/a/b/c.go":   "C:/x/c.go",
		"/a/bc/d.go":  "/z/bc/d.go",
		"/q/a/b/c.go": "/q/a/b/c.go",
		"main.main":   "main.main",
	}
	for in, want := range cases {
		if got := m.rewrite(in); got != want {
			t.Errorf("rewrite(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRewriteSymbolLine(t *testing.T) {
	m := mappingList{{"/tmp/b", "D:/w"}}
	in := "#\t0x4e9fe4\tp/c.init.0+0x24\t\t/tmp/b/c/c.go:25\n"
	want := "#\t0x4e9fe4\tp/c.init.0+0x24\t\tD:/w/c/c.go:25\n"
	if got := rewriteSymbolLine(in, m); got != want {
		t.Errorf("got %q want %q", got, want)
	}
	for _, keep := range []string{"# labels: {\"a\":\"b\"}\n", "# Alloc = 3\n", "1: 2 [3: 4] @ 0x1\n", "#\t0x0\n"} {
		if got := rewriteSymbolLine(keep, m); got != keep {
			t.Errorf("changed %q to %q", keep, got)
		}
	}
}

func TestRewriteProtoKeepsOtherFields(t *testing.T) {
	// field 1 (varint 150), field 6 "", field 6 "/tmp/b/x.go", field 9 (fixed64)
	var in []byte
	in = append(in, 0x08, 0x96, 0x01)
	in = append(in, 0x32, 0x00)
	in = append(in, 0x32, 11)
	in = append(in, "/tmp/b/x.go"...)
	in = append(in, 0x49, 1, 2, 3, 4, 5, 6, 7, 8)
	out, err := rewriteProto(in, mappingList{{"/tmp/b", "D:/work/long"}})
	if err != nil {
		t.Fatal(err)
	}
	var want []byte
	want = append(want, 0x08, 0x96, 0x01, 0x32, 0x00, 0x32, 17)
	want = append(want, "D:/work/long/x.go"...)
	want = append(want, 0x49, 1, 2, 3, 4, 5, 6, 7, 8)
	if !bytes.Equal(out, want) {
		t.Errorf("got %x\nwant %x", out, want)
	}
}

func TestSplitPointsInlinedLinesAtACopy(t *testing.T) {
	str := func(s string) []byte { return appendLen(nil, stringTableField, []byte(s)) }
	fn := func(id, name, file uint64) []byte {
		return appendLen(nil, profileFunction, appendVarint(appendVarint(appendVarint(nil, functionID, id), functionName, name), functionFile, file))
	}
	line := func(fn, no uint64) []byte {
		return appendLen(nil, locationLine, appendVarint(appendVarint(nil, lineFunctionID, fn), 2, no))
	}
	loc := func(id uint64, lines ...[]byte) []byte {
		msg := appendVarint(nil, 1, id)
		for _, l := range lines {
			msg = append(msg, l...)
		}
		return appendLen(nil, profileLocation, msg)
	}
	// Strings: "", f, f.go, g, g.go. f is inlined into g in location 1
	// and stands alone in location 2.
	var in []byte
	for _, s := range []string{"", "f", "f.go", "g", "g.go"} {
		in = append(in, str(s)...)
	}
	in = append(in, fn(1, 1, 2)...)
	in = append(in, fn(2, 3, 4)...)
	in = append(in, loc(1, line(1, 7), line(2, 20))...)
	in = append(in, loc(2, line(1, 8))...)

	out, err := splitProto(in, splitList{{"f", "g"}})
	if err != nil {
		t.Fatal(err)
	}
	var want []byte
	want = append(want, in[:bytes.Index(in, fn(2, 3, 4))]...)
	want = append(want, fn(2, 3, 4)...)
	want = append(want, fn(3, 1, 4)...)
	want = append(want, loc(1, line(3, 7), line(2, 20))...)
	want = append(want, loc(2, line(1, 8))...)
	if !bytes.Equal(out, want) {
		t.Errorf("got  %x\nwant %x", out, want)
	}

	if _, err := splitProto(in, splitList{{"g", "f"}}); err == nil {
		t.Error("a split that matches nothing should fail")
	}
}
