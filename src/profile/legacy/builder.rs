//! Assembles a [`Profile`] for the legacy decoders: interns locations,
//! functions and mappings so each decoder only states what it read.

use std::collections::HashMap;

use crate::profile::model::{
    Function, FunctionIdx, Label, Line, Location, LocationIdx, Mapping, MappingIdx, Profile,
};

/// A symbolized frame as a legacy format prints it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Frame {
    pub function: String,
    pub file: String,
    pub line: i64,
}

/// Builds a profile one sample at a time. Location and function ids are
/// handed out from 1 in order of first appearance, as pprof does.
#[derive(Default)]
pub struct ProfileBuilder {
    profile: Profile,
    by_address: HashMap<u64, LocationIdx>,
    by_frame: HashMap<(u64, Vec<Frame>), LocationIdx>,
    functions: HashMap<(String, String), FunctionIdx>,
}

impl ProfileBuilder {
    pub fn new(profile: Profile) -> Self {
        ProfileBuilder { profile, ..Default::default() }
    }

    pub fn profile(&mut self) -> &mut Profile {
        &mut self.profile
    }

    /// The location for a bare address, created on first use.
    pub fn address(&mut self, address: u64) -> LocationIdx {
        if let Some(&idx) = self.by_address.get(&address) {
            return idx;
        }
        let idx = self.push_location(Location { address, ..Default::default() });
        self.by_address.insert(address, idx);
        idx
    }

    /// The location for an address with its frames (innermost first).
    pub fn symbolized(&mut self, address: u64, frames: Vec<Frame>) -> LocationIdx {
        let key = (address, frames);
        if let Some(&idx) = self.by_frame.get(&key) {
            return idx;
        }
        let lines = key
            .1
            .iter()
            .map(|f| Line { function: self.function(&f.function, &f.file), line: f.line, column: 0 })
            .collect();
        let idx = self.push_location(Location { address, lines, ..Default::default() });
        self.by_frame.insert(key, idx);
        idx
    }

    pub fn function(&mut self, name: &str, file: &str) -> FunctionIdx {
        let key = (name.to_string(), file.to_string());
        if let Some(&idx) = self.functions.get(&key) {
            return idx;
        }
        let idx = FunctionIdx(self.profile.functions.len() as u32);
        self.profile.functions.push(Function {
            id: idx.0 as u64 + 1,
            name: key.0.clone(),
            system_name: key.0.clone(),
            filename: key.1.clone(),
            start_line: 0,
        });
        self.functions.insert(key, idx);
        idx
    }

    fn push_location(&mut self, mut loc: Location) -> LocationIdx {
        let idx = LocationIdx(self.profile.locations.len() as u32);
        loc.id = idx.0 as u64 + 1;
        self.profile.locations.push(loc);
        idx
    }

    pub fn add_sample(&mut self, locations: Vec<LocationIdx>, values: Vec<i64>, labels: Vec<Label>) {
        self.profile.push_sample(&locations, &values, labels);
    }

    pub fn add_mapping(&mut self, mut mapping: Mapping) -> MappingIdx {
        let idx = MappingIdx(self.profile.mappings.len() as u32);
        mapping.id = idx.0 as u64 + 1;
        self.profile.mappings.push(mapping);
        idx
    }

    /// Attaches each location to the mapping whose range holds its address.
    pub fn finish(mut self) -> Profile {
        let p = &mut self.profile;
        if !p.mappings.is_empty() {
            for loc in &mut p.locations {
                loc.mapping = p
                    .mappings
                    .iter()
                    .position(|m| m.memory_start <= loc.address && loc.address < m.memory_limit)
                    .map(|i| MappingIdx(i as u32));
            }
        }
        self.profile
    }
}
