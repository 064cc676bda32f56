//! Function names as pprof prints them. pprof treats a name with brackets
//! as demangled C++ and drops its parenthesised parts, so a Go generic
//! instantiation `F[go.shape.interface { Error() string }]` prints as
//! `F[go.shape.interface { Error string }]`. Method names of generic types
//! (`(*T[...]).M`) are left alone, as pprof does.

use std::borrow::Cow;

pub fn display_name(name: &str) -> Cow<'_, str> {
    let looks_demangled = !name.contains(".<")
        && !name.contains("]).")
        && (name.contains(['<', '>', '[', ']']) || name.contains("::"));
    if !looks_demangled {
        return Cow::Borrowed(name);
    }
    Cow::Owned(remove_nested(&remove_nested(name, '(', ')'), '<', '>'))
}

/// Removes every balanced `open … close` group; on unbalanced input the
/// name is returned unchanged.
fn remove_nested(name: &str, open: char, close: char) -> String {
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    let mut group = String::new();
    for c in name.chars() {
        if c == open {
            depth += 1;
        } else if c == close {
            if depth == 0 {
                return name.to_string();
            }
            depth -= 1;
            if depth == 0 {
                group.clear();
            }
            continue;
        }
        if depth > 0 {
            group.push(c);
        } else {
            out.push(c);
        }
    }
    if depth > 0 {
        return name.to_string();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::display_name;

    #[test]
    fn simplifies_like_pprof() {
        for (name, shown) in [
            ("sync.OnceValue[go.shape.interface { Error() string }]", "sync.OnceValue[go.shape.interface { Error string }]"),
            ("pkg.(*Index[go.shape.string]).Put", "pkg.(*Index[go.shape.string]).Put"),
            ("main.(*T).m", "main.(*T).m"),
            ("std::vector<int>::push_back(int const&)", "std::vector::push_back"),
            ("java.lang.Object.<init>", "java.lang.Object.<init>"),
            ("weird[(]", "weird[(]"),
        ] {
            assert_eq!(display_name(name), shown);
        }
    }
}
