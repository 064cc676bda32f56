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
