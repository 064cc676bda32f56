// Command pathrewrite replaces path prefixes inside a Go profile, so one real
// profile can be turned into variants that look as if they were recorded on
// another machine (for example with Windows paths).
//
//	pathrewrite -in heap.pb.gz -out windows.heap.pb.gz \
//	    -map /tmp/build/app=D:/work/app -map /usr/local/go=c:/go
//
// With -split NAME=CALLER (protobuf only, repeatable) it also records
// function NAME under a second file name, the file of function CALLER,
// where NAME is inlined into CALLER (see split.go).
//
// Two input kinds are handled:
//
//   - protobuf profiles, gzipped or not: the top-level Profile message is
//     walked field by field; only string_table entries (field 6) are
//     rewritten, every other field is copied unchanged byte for byte. The
//     output is always gzipped.
//   - debug=1 text profiles (heap, allocs, goroutine, mutex, block,
//     threadcreate): in each "#" symbol line the file path in the last
//     tab-separated field ("path:line") is rewritten. Other lines are copied.
//
// Mappings are tried in the order given and the first one that matches wins.
// OLD matches a string that equals it or continues with '/' or '\', so
// /a/b does not match /a/bc.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

type mapping struct{ old, new string }

type mappingList []mapping

func (m *mappingList) String() string {
	parts := make([]string, len(*m))
	for i, p := range *m {
		parts[i] = p.old + "=" + p.new
	}
	return strings.Join(parts, ",")
}

func (m *mappingList) Set(v string) error {
	old, repl, ok := strings.Cut(v, "=")
	if !ok || old == "" {
		return fmt.Errorf("mapping %q is not OLD=NEW", v)
	}
	*m = append(*m, mapping{old, repl})
	return nil
}

// rewrite applies the first matching prefix mapping to s.
func (m mappingList) rewrite(s string) string {
	for _, p := range m {
		if !strings.HasPrefix(s, p.old) {
			continue
		}
		rest := s[len(p.old):]
		if rest == "" || rest[0] == '/' || rest[0] == '\\' || strings.HasSuffix(p.old, "/") {
			return p.new + rest
		}
	}
	return s
}

func main() {
	var (
		in, out string
		maps    mappingList
		splits  splitList
	)
	flag.StringVar(&in, "in", "", "input profile (protobuf, optionally gzipped, or debug=1 text)")
	flag.StringVar(&out, "out", "", "output file")
	flag.Var(&maps, "map", "OLD=NEW path prefix replacement; repeatable, first match wins")
	flag.Var(&splits, "split", "NAME=CALLER: where function NAME is inlined into CALLER, record it under CALLER's file; repeatable")
	flag.Parse()
	if in == "" || out == "" || len(maps)+len(splits) == 0 || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(in, out, maps, splits); err != nil {
		fmt.Fprintln(os.Stderr, "pathrewrite:", err)
		os.Exit(1)
	}
}

func run(in, out string, maps mappingList, splits splitList) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	data := raw
	if len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return err
		}
		if data, err = io.ReadAll(zr); err != nil {
			return fmt.Errorf("%s: %v", in, err)
		}
	}

	var result []byte
	if isText(data) {
		if len(splits) > 0 {
			return fmt.Errorf("%s: -split needs a protobuf profile", in)
		}
		result = rewriteText(data, maps)
	} else {
		pb, err := rewriteProto(data, maps)
		if err == nil && len(splits) > 0 {
			pb, err = splitProto(pb, splits)
		}
		if err != nil {
			return fmt.Errorf("%s: %v", in, err)
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write(pb); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		result = buf.Bytes()
	}
	return os.WriteFile(out, result, 0o644)
}

// isText reports whether data starts like one of the runtime's debug=1
// text profiles.
func isText(data []byte) bool {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	s := string(line)
	return strings.HasPrefix(s, "--- ") ||
		(strings.Contains(s, " profile: ") && !bytes.ContainsRune(line, 0))
}

// rewriteText rewrites the file path of every "#" symbol line. Such a line
// is "#\tPC\tFUNC+OFF\tPATH:LINE"; label lines ("# labels: ...") and the
// "# runtime.MemStats" block have no tab-separated path and are left alone.
func rewriteText(data []byte, maps mappingList) []byte {
	lines := strings.SplitAfter(string(data), "\n")
	var b strings.Builder
	b.Grow(len(data))
	for _, line := range lines {
		b.WriteString(rewriteSymbolLine(line, maps))
	}
	return []byte(b.String())
}

func rewriteSymbolLine(line string, maps mappingList) string {
	if !strings.HasPrefix(line, "#\t") {
		return line
	}
	body := strings.TrimRight(line, "\r\n")
	eol := line[len(body):]
	tab := strings.LastIndexByte(body, '\t')
	field := body[tab+1:]
	colon := strings.LastIndexByte(field, ':')
	if colon <= 0 || strings.Count(body, "\t") < 3 {
		return line
	}
	path := field[:colon]
	return body[:tab+1] + maps.rewrite(path) + field[colon:] + eol
}

// Protobuf wire types.
const (
	wireVarint = 0
	wireI64    = 1
	wireLen    = 2
	wireI32    = 5
)

// stringTableField is Profile.string_table in profile.proto.
const stringTableField = 6

// rewriteProto walks the top-level Profile message. Fields are copied as
// they appear in the input, so field order and encoding are preserved;
// only the payloads of string_table entries change.
func rewriteProto(data []byte, maps mappingList) ([]byte, error) {
	top, err := fields(data)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(data)+len(data)/8)
	for _, f := range top {
		if f.num == stringTableField && f.wire == wireLen {
			out = appendLen(out, stringTableField, []byte(maps.rewrite(string(f.payload))))
		} else {
			out = append(out, f.raw...)
		}
	}
	return out, nil
}

// uvarint decodes a base-128 varint; n is 0 or negative on error.
func uvarint(b []byte) (v uint64, n int) {
	var shift uint
	for i, c := range b {
		if i == 10 {
			return 0, -1
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, i + 1
		}
		shift += 7
	}
	return 0, 0
}

func appendUvarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}
