//! How a history stores what it keeps: names interned once per history, and
//! each snapshot's per-line values as one varint stream. For each line, in
//! ascending line id order: the id's distance from the previous line's,
//! then flat and cum (zigzag) for each tracked type. A heap profile's line
//! with two tracked types takes about ten bytes this way.

use rustc_hash::FxHashMap;

use super::super::index::Cost;

/// Strings interned once per history.
#[derive(Clone, Debug, Default)]
pub(super) struct Interner {
    names: Vec<Box<str>>,
    ids: FxHashMap<Box<str>, u32>,
}

impl Interner {
    pub(super) fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.into());
        self.ids.insert(name.into(), id);
        id
    }

    pub(super) fn get(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    pub(super) fn len(&self) -> usize {
        self.names.len()
    }

    pub(super) fn heap_bytes(&self) -> usize {
        let strings: usize = self.names.iter().map(|n| n.len()).sum();
        // Each name is stored twice (list and map key), plus the slots.
        2 * strings + self.names.capacity() * 16 + self.ids.capacity() * 24
    }
}

/// One profile's per-line values at one time, as a varint stream.
#[derive(Clone, Debug)]
pub(super) struct Snapshot {
    pub(super) seconds: f64,
    lines: u32,
    data: Vec<u8>,
}

impl Snapshot {
    /// Visits every line of the snapshot in id order, with its flat and
    /// cum for each of the `k` tracked types.
    pub(super) fn each_entry(&self, k: usize, mut visit: impl FnMut(u32, &[Cost])) {
        let mut costs = vec![Cost::default(); k];
        let mut at = 0usize;
        let mut id = 0u32;
        for _ in 0..self.lines {
            id += get_varint(&self.data, &mut at) as u32;
            for c in costs.iter_mut() {
                c.flat = unzigzag(get_varint(&self.data, &mut at));
                c.cum = unzigzag(get_varint(&self.data, &mut at));
            }
            visit(id, &costs);
        }
    }

    /// The bytes its stream holds.
    pub(super) fn heap_bytes(&self) -> usize {
        self.data.capacity()
    }
}

/// Writes a snapshot's stream, one line at a time in ascending id order.
pub(super) struct SnapshotWriter {
    lines: u32,
    previous: u32,
    data: Vec<u8>,
}

impl SnapshotWriter {
    /// A writer with room for about `bytes` bytes.
    pub(super) fn with_capacity(bytes: usize) -> SnapshotWriter {
        SnapshotWriter { lines: 0, previous: 0, data: Vec::with_capacity(bytes) }
    }

    /// Adds line `id` (larger than the last one added) with its costs.
    pub(super) fn push(&mut self, id: u32, costs: &[Cost]) {
        put_varint(&mut self.data, u64::from(id - self.previous));
        self.previous = id;
        self.lines += 1;
        for c in costs {
            put_varint(&mut self.data, zigzag(c.flat));
            put_varint(&mut self.data, zigzag(c.cum));
        }
    }

    pub(super) fn finish(mut self, seconds: f64) -> Snapshot {
        self.data.shrink_to_fit();
        Snapshot { seconds, lines: self.lines, data: self.data }
    }
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a varint the history wrote itself, so the stream is well formed.
fn get_varint(data: &[u8], at: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let byte = data[*at];
        *at += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return v;
        }
        shift += 7;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_extremes() {
        let values = [0, 1, -1, 63, -64, 1 << 40, -(1 << 40), i64::MAX, i64::MIN];
        let mut data = Vec::new();
        for v in values {
            put_varint(&mut data, zigzag(v));
        }
        let mut at = 0;
        let back: Vec<i64> = values.iter().map(|_| unzigzag(get_varint(&data, &mut at))).collect();
        assert_eq!(back, values);
        assert_eq!(at, data.len());
    }

    #[test]
    fn a_snapshot_reads_back_its_lines_in_order() {
        let lines: [(u32, [Cost; 2]); 3] = [
            (0, [Cost { flat: 1, cum: 2 }, Cost { flat: -3, cum: 4 }]),
            (7, [Cost::default(), Cost { flat: i64::MAX, cum: i64::MIN }]),
            (300, [Cost { flat: 5, cum: 5 }, Cost { flat: 0, cum: -1 }]),
        ];
        let mut writer = SnapshotWriter::with_capacity(0);
        for (id, costs) in &lines {
            writer.push(*id, costs);
        }
        let snapshot = writer.finish(12.5);
        assert_eq!(snapshot.seconds, 12.5);
        let mut back = Vec::new();
        snapshot.each_entry(2, |id, costs| back.push((id, [costs[0], costs[1]])));
        assert_eq!(back, lines);
    }
}
