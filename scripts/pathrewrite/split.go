package main

// Splitting a function: real profiles sometimes record one function under
// two file names, its own and that of a caller it was inlined into. -split
// NAME=CALLER makes that shape from an ordinary profile: every line of
// function NAME that is inlined into function CALLER (from another file) is
// pointed at a new Function entry, a copy of NAME's entry naming CALLER's
// file. NAME's other lines keep its own entry. Everything else is copied
// byte for byte.

import (
	"fmt"
	"strings"
)

type splitSpec struct{ name, caller string }

type splitList []splitSpec

func (s *splitList) String() string {
	parts := make([]string, len(*s))
	for i, p := range *s {
		parts[i] = p.name + "=" + p.caller
	}
	return strings.Join(parts, ",")
}

func (s *splitList) Set(v string) error {
	name, caller, ok := strings.Cut(v, "=")
	if !ok || name == "" || caller == "" {
		return fmt.Errorf("split %q is not NAME=CALLER", v)
	}
	*s = append(*s, splitSpec{name, caller})
	return nil
}

// Field numbers of profile.proto used here.
const (
	profileLocation = 4
	profileFunction = 5
	locationLine    = 4
	lineFunctionID  = 1
	functionID      = 1
	functionName    = 2
	functionFile    = 4
)

// field is one field of a message: its number, wire type, the bytes it
// takes in the message (key included), and its value (a varint's value or
// a length-delimited payload's bounds in raw).
type field struct {
	num, wire uint64
	raw       []byte
	varint    uint64
	payload   []byte
}

// fields splits a message into its fields.
func fields(msg []byte) ([]field, error) {
	var out []field
	for pos := 0; pos < len(msg); {
		start := pos
		key, n := uvarint(msg[pos:])
		if n <= 0 {
			return nil, fmt.Errorf("bad field key at offset %d", pos)
		}
		pos += n
		f := field{num: key >> 3, wire: key & 7}
		if f.num == 0 {
			return nil, fmt.Errorf("field number 0 at offset %d", start)
		}
		switch f.wire {
		case wireVarint:
			v, n := uvarint(msg[pos:])
			if n <= 0 {
				return nil, fmt.Errorf("bad varint at offset %d", pos)
			}
			f.varint = v
			pos += n
		case wireI64:
			pos += 8
		case wireI32:
			pos += 4
		case wireLen:
			size, n := uvarint(msg[pos:])
			if n <= 0 || size > uint64(len(msg)-pos-n) {
				return nil, fmt.Errorf("bad length at offset %d", pos)
			}
			f.payload = msg[pos+n : pos+n+int(size)]
			pos += n + int(size)
		default:
			return nil, fmt.Errorf("unsupported wire type %d at offset %d", f.wire, start)
		}
		if pos > len(msg) {
			return nil, fmt.Errorf("truncated field at offset %d", start)
		}
		f.raw = msg[start:pos]
		out = append(out, f)
	}
	return out, nil
}

func appendLen(b []byte, num uint64, payload []byte) []byte {
	b = appendUvarint(b, num<<3|wireLen)
	b = appendUvarint(b, uint64(len(payload)))
	return append(b, payload...)
}

func appendVarint(b []byte, num, v uint64) []byte {
	b = appendUvarint(b, num<<3|wireVarint)
	return appendUvarint(b, v)
}

type function struct {
	name, file uint64 // string table indices
	raw        []byte // the Function message
}

// splitProto applies the splits to a decompressed profile.
func splitProto(data []byte, splits splitList) ([]byte, error) {
	top, err := fields(data)
	if err != nil {
		return nil, err
	}
	var strs []string
	functions := map[uint64]function{}
	var maxID uint64
	lastFunction := -1
	for i, f := range top {
		switch {
		case f.num == stringTableField && f.wire == wireLen:
			strs = append(strs, string(f.payload))
		case f.num == profileFunction && f.wire == wireLen:
			fs, err := fields(f.payload)
			if err != nil {
				return nil, fmt.Errorf("function: %v", err)
			}
			var fn function
			var id uint64
			for _, g := range fs {
				switch g.num {
				case functionID:
					id = g.varint
				case functionName:
					fn.name = g.varint
				case functionFile:
					fn.file = g.varint
				}
			}
			fn.raw = f.payload
			functions[id] = fn
			maxID = max(maxID, id)
			lastFunction = i
		}
	}
	str := func(i uint64) string {
		if i < uint64(len(strs)) {
			return strs[i]
		}
		return ""
	}

	// New function ids by (original id, file string index).
	type key struct{ id, file uint64 }
	added := map[key]uint64{}
	var order []key
	used := make([]bool, len(splits))
	retarget := func(id, callerID uint64) (uint64, bool) {
		fn, caller := functions[id], functions[callerID]
		for i, s := range splits {
			if str(fn.name) != s.name || str(caller.name) != s.caller || fn.file == caller.file {
				continue
			}
			used[i] = true
			k := key{id, caller.file}
			if _, ok := added[k]; !ok {
				maxID++
				added[k] = maxID
				order = append(order, k)
			}
			return added[k], true
		}
		return 0, false
	}

	locations := make([][]byte, len(top))
	for i, f := range top {
		if f.num != profileLocation || f.wire != wireLen {
			continue
		}
		loc, changed, err := splitLocation(f.payload, retarget)
		if err != nil {
			return nil, fmt.Errorf("location: %v", err)
		}
		if changed {
			locations[i] = loc
		}
	}
	for i, s := range splits {
		if !used[i] {
			return nil, fmt.Errorf("no line of %s is inlined into %s from another file", s.name, s.caller)
		}
	}

	out := make([]byte, 0, len(data)+len(order)*64)
	for i, f := range top {
		if locations[i] != nil {
			out = appendLen(out, profileLocation, locations[i])
		} else {
			out = append(out, f.raw...)
		}
		if i == lastFunction {
			for _, k := range order {
				out = appendLen(out, profileFunction, copyFunction(functions[k.id].raw, added[k], k.file))
			}
		}
	}
	return out, nil
}

// splitLocation points each line that retarget chooses (given its
// function and the function of the line it is inlined into) at the new
// function, and reports whether any changed.
func splitLocation(msg []byte, retarget func(id, callerID uint64) (uint64, bool)) ([]byte, bool, error) {
	fs, err := fields(msg)
	if err != nil {
		return nil, false, err
	}
	var lines []int
	ids := map[int]uint64{}
	for i, f := range fs {
		if f.num != locationLine || f.wire != wireLen {
			continue
		}
		lf, err := fields(f.payload)
		if err != nil {
			return nil, false, err
		}
		for _, g := range lf {
			if g.num == lineFunctionID && g.wire == wireVarint {
				ids[i] = g.varint
			}
		}
		lines = append(lines, i)
	}
	// Lines run from the innermost frame to the outermost: each but the
	// last is inlined into the one after it.
	replace := map[int]uint64{}
	for j := 0; j+1 < len(lines); j++ {
		if id, ok := retarget(ids[lines[j]], ids[lines[j+1]]); ok {
			replace[lines[j]] = id
		}
	}
	if len(replace) == 0 {
		return msg, false, nil
	}
	var out []byte
	for i, f := range fs {
		id, ok := replace[i]
		if !ok {
			out = append(out, f.raw...)
			continue
		}
		lf, _ := fields(f.payload)
		var line []byte
		for _, g := range lf {
			if g.num == lineFunctionID && g.wire == wireVarint {
				line = appendVarint(line, lineFunctionID, id)
			} else {
				line = append(line, g.raw...)
			}
		}
		out = appendLen(out, locationLine, line)
	}
	return out, true, nil
}

// copyFunction is a Function message with a new id and file name.
func copyFunction(msg []byte, id, file uint64) []byte {
	fs, _ := fields(msg)
	out := appendVarint(nil, functionID, id)
	for _, f := range fs {
		if f.num != functionID && f.num != functionFile {
			out = append(out, f.raw...)
		}
	}
	return appendVarint(out, functionFile, file)
}
