//! Object reads for mining, with a delta-base cache that keeps bases as git does.
//!
//! Packs store the newest version of a file whole and older versions as deltas
//! against newer ones. gix-pack's delta cache keeps only the *results* of delta
//! chains, never the whole object at the chain's root: every chain that does not
//! meet a cached result inflates its root again. While mining newest first, a
//! commit's old blob is a delta on its new blob, so the new blob was inflated twice,
//! and the same held for trees; that re-inflation was the largest single cost of a
//! full scan.
//!
//! git's `unpack_entry()` caches every base it inflates (`core.deltaBaseCacheLimit`).
//! [`Reader`] does the same on top of gix-pack's primitives (index lookup, entry
//! headers, inflation): it resolves a chain from the nearest cached object or the
//! root, and caches the root, every intermediate object and the result, one cache
//! per worker thread.
//!
//! The roots get a budget of their own. A root (say a 700 KB translation file stored
//! whole) is the costliest object to make again, and every cold chain of that file
//! needs it, while the intermediates of one long chain can fill any shared budget:
//! with one least-recently-used budget, git/git's blob roots were inflated 7.5 times
//! over on average; with separate budgets, 1.4 times (BENCHMARKS.md).
//!
//! Decoded objects are large and short-lived, so the buffers of evicted objects are
//! reused for the next ones instead of going back to the allocator.
//!
//! Objects the packs opened here do not hold (loose objects, packs written during
//! the scan, a pack whose index cannot be read) are read through gix's object
//! database, so nothing is missed; only the cache is bypassed for them.
//!
//! The delta instructions are applied by hand because gix-pack keeps its `apply`
//! crate-private; the format is git's `patch-delta.c`.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use gix::hash::oid;
use gix::objs::{Data, Find, FindHeader, Header, Kind};
use gix::odb::pack::data::entry::Header as EntryHeader;

/// Delta chains longer than this are treated as corrupt (git's own limit on
/// `pack.depth` is 4095).
const MAX_CHAIN: usize = 10_000;

/// Whole objects larger than this are not decoded for a header request.
const LARGE_OBJECT: u64 = 64 << 20;

/// The packs of a repository and of its alternates, opened once per mining run.
pub(crate) struct Packs {
    bundles: Vec<gix::odb::pack::Bundle>,
}

impl Packs {
    /// Opens every `pack/*.idx` under `objects_dirs`. A pack that cannot be opened
    /// is skipped: its objects are still read through gix's object database.
    pub(crate) fn open(objects_dirs: &[PathBuf], hash: gix::hash::Kind) -> Packs {
        let mut paths = Vec::new();
        for dir in objects_dirs {
            let Ok(entries) = std::fs::read_dir(dir.join("pack")) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "idx") {
                    paths.push(path);
                }
            }
        }
        paths.sort();
        let bundles = paths
            .iter()
            .filter_map(|p: &PathBuf| gix::odb::pack::Bundle::at(p as &Path, hash).ok())
            .collect();
        Packs { bundles }
    }
}

struct Object {
    kind: Kind,
    data: Vec<u8>,
}

/// Cache key: pack number and entry offset.
type Key = (u32, u64);

/// A byte-bounded least-recently-used cache of decoded objects.
struct Cache {
    map: std::collections::HashMap<Key, (Rc<Object>, u64), foldhash::fast::FixedState>,
    /// Keys by last use, oldest first.
    order: std::collections::BTreeMap<u64, Key>,
    bytes: usize,
    limit: usize,
    clock: u64,
}

impl Cache {
    fn new(limit: usize) -> Cache {
        Cache {
            map: Default::default(),
            order: Default::default(),
            bytes: 0,
            limit,
            clock: 0,
        }
    }

    fn get(&mut self, key: &Key) -> Option<Rc<Object>> {
        let (object, used) = self.map.get_mut(key)?;
        self.clock += 1;
        self.order.remove(used);
        *used = self.clock;
        self.order.insert(self.clock, *key);
        Some(object.clone())
    }

    /// Caches `object`, evicting the least recently used ones beyond the budget;
    /// their buffers go to `spare` when nothing else holds them.
    fn put(&mut self, key: Key, object: Rc<Object>, spare: &mut Spare) {
        let size = object.data.capacity();
        if size > self.limit / 4 {
            return;
        }
        self.clock += 1;
        if let Some((old, used)) = self.map.insert(key, (object, self.clock)) {
            self.bytes -= old.data.capacity();
            self.order.remove(&used);
        }
        self.order.insert(self.clock, key);
        self.bytes += size;
        while self.bytes > self.limit {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            if let Some((object, _)) = self.map.remove(&oldest) {
                self.bytes -= object.data.capacity();
                if let Ok(object) = Rc::try_unwrap(object) {
                    spare.give(object.data);
                }
            }
        }
    }
}

/// Buffers of evicted objects, for the next decoded ones.
#[derive(Default)]
struct Spare(Vec<Vec<u8>>);

impl Spare {
    const KEEP: usize = 32;

    fn give(&mut self, buffer: Vec<u8>) {
        if self.0.len() < Self::KEEP {
            self.0.push(buffer);
        }
    }

    /// An empty buffer with room for `size` bytes, and not much more: the caches
    /// count what their objects hold. `None` when that much memory cannot be had
    /// (a corrupt size), instead of aborting.
    fn take(&mut self, size: usize) -> Option<Vec<u8>> {
        let fits = |b: &Vec<u8>| b.capacity() >= size && b.capacity() <= size + size / 4 + 4096;
        match self.0.iter().position(fits) {
            Some(i) => {
                let mut buffer = self.0.swap_remove(i);
                buffer.clear();
                Some(buffer)
            }
            None => {
                let mut buffer = Vec::new();
                buffer.try_reserve_exact(size).ok()?;
                Some(buffer)
            }
        }
    }
}

/// Reads objects for one worker thread: from the opened packs through its cache,
/// and through gix's object database for everything else.
pub(crate) struct Reader<'a> {
    packs: &'a Packs,
    odb: &'a gix::OdbHandle,
    state: RefCell<State>,
}

struct State {
    /// Objects made from deltas.
    cache: Cache,
    /// Whole objects at the roots of delta chains, and objects stored whole.
    roots: Cache,
    spare: Spare,
    inflate: gix::zlib::Inflate,
    delta: Vec<u8>,
    /// The object of the last `try_header`, which gix's diff pipeline follows with a
    /// `try_find` of the same id.
    last: Option<(gix::hash::ObjectId, Rc<Object>)>,
}

impl<'a> Reader<'a> {
    /// A reader whose two caches hold up to `cache_bytes` each.
    pub(crate) fn new(packs: &'a Packs, odb: &'a gix::OdbHandle, cache_bytes: usize) -> Self {
        Reader {
            packs,
            odb,
            state: RefCell::new(State {
                cache: Cache::new(cache_bytes),
                roots: Cache::new(cache_bytes),
                spare: Spare::default(),
                inflate: gix::zlib::Inflate::default(),
                delta: Vec::new(),
                last: None,
            }),
        }
    }

    /// The object `id` from the opened packs, or `None` when none of them has it.
    fn packed(&self, id: &oid) -> gix::error::Result<Option<Rc<Object>>> {
        {
            let state = self.state.borrow();
            if let Some((last, object)) = &state.last
                && last.as_ref() == id
            {
                return Ok(Some(object.clone()));
            }
        }
        match self.locate(id) {
            Some((number, offset)) => {
                let mut state = self.state.borrow_mut();
                self.resolve(&mut state, number, offset).map(Some)
            }
            None => Ok(None),
        }
    }

    /// The pack number and entry offset of `id`, if an opened pack has it.
    fn locate(&self, id: &oid) -> Option<(u32, u64)> {
        self.packs
            .bundles
            .iter()
            .enumerate()
            .find_map(|(number, bundle)| {
                let index = bundle.index.lookup(id)?;
                Some((number as u32, bundle.index.pack_offset_at_index(index)))
            })
    }

    /// Decodes the entry at `offset`, resolving its delta chain from the nearest
    /// cached object, and caches every object decoded on the way.
    fn resolve(
        &self,
        state: &mut State,
        number: u32,
        offset: u64,
    ) -> gix::error::Result<Rc<Object>> {
        let pack = &self.packs.bundles[number as usize];
        let mut chain: Vec<(u64, gix::odb::pack::data::Entry)> = Vec::new();
        let mut at = offset;
        let mut base = loop {
            if let Some(hit) = state
                .cache
                .get(&(number, at))
                .or_else(|| state.roots.get(&(number, at)))
            {
                break hit;
            }
            let entry = pack.pack.entry(at)?;
            match entry.header {
                EntryHeader::OfsDelta { base_distance } => {
                    let Some(base) = entry.checked_base_pack_offset(base_distance) else {
                        return Err(corrupt(at, "a delta base before the pack's start"));
                    };
                    chain.push((at, entry));
                    at = base;
                }
                EntryHeader::RefDelta { base_id } => {
                    chain.push((at, entry));
                    match pack.index.lookup(base_id) {
                        Some(index) => at = pack.index.pack_offset_at_index(index),
                        None => {
                            let mut data = Vec::new();
                            let Some(found) = self.odb.try_find(&base_id, &mut data)? else {
                                return Err(corrupt(at, "a delta base that is missing"));
                            };
                            let kind = found.kind;
                            break Rc::new(Object { kind, data });
                        }
                    }
                }
                header => {
                    let kind = header.as_kind().unwrap_or(Kind::Blob);
                    let size = inflated_size(&pack.pack, &entry, at)?;
                    let mut data = state
                        .spare
                        .take(size)
                        .ok_or_else(|| corrupt(at, "an object larger than memory"))?;
                    data.resize(size, 0);
                    pack.pack
                        .decompress_entry(&entry, &mut state.inflate, &mut data)?;
                    let object = Rc::new(Object { kind, data });
                    state
                        .roots
                        .put((number, at), object.clone(), &mut state.spare);
                    break object;
                }
            }
            if chain.len() > MAX_CHAIN {
                return Err(corrupt(offset, "a delta chain that does not end"));
            }
        };
        for (at, entry) in chain.into_iter().rev() {
            state.delta.clear();
            state
                .delta
                .resize(inflated_size(&pack.pack, &entry, at)?, 0);
            pack.pack
                .decompress_entry(&entry, &mut state.inflate, &mut state.delta)?;
            let size = delta_result_size(&state.delta).unwrap_or(0);
            let out = state
                .spare
                .take(size)
                .ok_or_else(|| corrupt(at, "an object larger than memory"))?;
            let data = apply_delta(&base.data, &state.delta, out)
                .ok_or_else(|| corrupt(at, "a delta that does not apply"))?;
            base = Rc::new(Object {
                kind: base.kind,
                data,
            });
            state
                .cache
                .put((number, at), base.clone(), &mut state.spare);
        }
        Ok(base)
    }
}

/// The size `entry` inflates to, if its data can inflate to that much: zlib expands
/// at most 1032:1, so a larger claim is a corrupt header, and filling a buffer that
/// large would exhaust memory before inflation failed.
fn inflated_size(
    pack: &gix::odb::pack::data::File,
    entry: &gix::odb::pack::data::Entry,
    at: u64,
) -> gix::error::Result<usize> {
    let compressed = (pack.pack_end() as u64).saturating_sub(entry.data_offset);
    if entry.decompressed_size > compressed.saturating_mul(1032).saturating_add(64) {
        return Err(corrupt(at, "a size larger than its data can inflate to"));
    }
    usize::try_from(entry.decompressed_size)
        .map_err(|_| corrupt(at, "an object larger than memory"))
}

fn corrupt(offset: u64, what: &str) -> gix::error::Error {
    use gix::error::ErrorExt;
    gix::error::Message::new(format!("corrupt pack entry at offset {offset}: {what}")).raise()
}

/// Reads a size of git's delta header: seven bits per byte, least significant first.
fn delta_size(data: &[u8], at: &mut usize) -> Option<usize> {
    let mut size = 0usize;
    let mut shift = 0;
    loop {
        let byte = *data.get(*at)?;
        *at += 1;
        size |= usize::from(byte & 0x7f).checked_shl(shift)?;
        shift += 7;
        if byte & 0x80 == 0 {
            return Some(size);
        }
        if shift > 63 {
            return None;
        }
    }
}

/// The size of the object a delta makes, from its header.
fn delta_result_size(delta: &[u8]) -> Option<usize> {
    let mut at = 0;
    delta_size(delta, &mut at)?;
    delta_size(delta, &mut at)
}

/// Applies a git delta to `base` (git's `patch_delta()`) into `out`; `None` if it is
/// corrupt.
fn apply_delta(base: &[u8], delta: &[u8], mut out: Vec<u8>) -> Option<Vec<u8>> {
    let mut at = 0;
    if delta_size(delta, &mut at)? != base.len() {
        return None;
    }
    let size = delta_size(delta, &mut at)?;
    out.clear();
    out.try_reserve(size).ok()?;
    while let Some(&cmd) = delta.get(at) {
        at += 1;
        if cmd & 0x80 != 0 {
            let mut offset = 0usize;
            let mut len = 0usize;
            for bit in 0..4 {
                if cmd & (1 << bit) != 0 {
                    offset |= usize::from(*delta.get(at)?) << (8 * bit);
                    at += 1;
                }
            }
            for bit in 0..3 {
                if cmd & (0x10 << bit) != 0 {
                    len |= usize::from(*delta.get(at)?) << (8 * bit);
                    at += 1;
                }
            }
            if len == 0 {
                len = 0x10000;
            }
            out.extend_from_slice(base.get(offset..offset.checked_add(len)?)?);
        } else if cmd != 0 {
            let len = usize::from(cmd);
            out.extend_from_slice(delta.get(at..at + len)?);
            at += len;
        } else {
            return None;
        }
    }
    (out.len() == size).then_some(out)
}

impl FindHeader for Reader<'_> {
    fn try_header(&self, id: &oid) -> gix::error::Result<Option<Header>> {
        // gix's diff pipeline asks for the header (for its size limit), then for the
        // object: decoding it now and keeping it for that request costs one decode,
        // where a header lookup would walk the delta chain a second time. A large
        // whole object is only measured, since the pipeline may not want it.
        let Some((number, offset)) = self.locate(id) else {
            return self.odb.try_header(id);
        };
        let pack = &self.packs.bundles[number as usize].pack;
        if let Ok(entry) = pack.entry(offset)
            && let Some(kind) = entry.header.as_kind()
            && entry.decompressed_size > LARGE_OBJECT
        {
            let size = inflated_size(pack, &entry, offset)?;
            return Ok(Some(Header {
                kind,
                size: size as u64,
            }));
        }
        let mut state = self.state.borrow_mut();
        let object = self.resolve(&mut state, number, offset)?;
        let header = Header {
            kind: object.kind,
            size: object.data.len() as u64,
        };
        state.last = Some((id.to_owned(), object));
        Ok(Some(header))
    }
}

impl Find for Reader<'_> {
    fn try_find<'b>(
        &self,
        id: &oid,
        buffer: &'b mut Vec<u8>,
    ) -> gix::error::Result<Option<Data<'b>>> {
        match self.packed(id)? {
            Some(object) => {
                buffer.clear();
                buffer.extend_from_slice(&object.data);
                Ok(Some(Data::new(buffer, object.kind, id.kind())))
            }
            None => self.odb.try_find(id, buffer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "A")
            .env("GIT_AUTHOR_EMAIL", "a@example.com")
            .env("GIT_COMMITTER_NAME", "A")
            .env("GIT_COMMITTER_EMAIL", "a@example.com")
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A repository whose files change a little in every commit, packed with long
    /// delta chains, then a few loose commits on top.
    fn packed_repository() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path();
        git(path, &["init", "-q", "-b", "main"]);
        let mut text: Vec<String> = (0..300)
            .map(|i| format!("line {i} of a long file\n"))
            .collect();
        for round in 0..40 {
            text[(round * 7) % 300] = format!("changed in round {round}\n");
            text.insert(round % 50, format!("inserted {round}\n"));
            std::fs::write(path.join("a.txt"), text.concat()).expect("write");
            std::fs::create_dir_all(path.join("dir")).expect("mkdir");
            std::fs::write(
                path.join("dir/b.txt"),
                text[..(round * 5 % 200) + 1].concat(),
            )
            .expect("write");
            git(path, &["add", "-A"]);
            git(path, &["commit", "-q", "-m", &format!("round {round}")]);
            if round == 30 {
                git(
                    path,
                    &[
                        "repack",
                        "-q",
                        "-a",
                        "-d",
                        "-f",
                        "--depth=50",
                        "--window=50",
                    ],
                );
            }
        }
        dir
    }

    #[test]
    fn objects_read_equal_gix_for_every_object_and_cache_size() {
        let dir = packed_repository();
        let repo = gix::open(dir.path()).expect("open");
        let ids = git(
            dir.path(),
            &[
                "cat-file",
                "--batch-all-objects",
                "--batch-check=%(objectname)",
            ],
        );
        let packs = Packs::open(
            &[repo.objects.store_ref().path().to_owned()],
            repo.object_hash(),
        );
        assert_eq!(packs.bundles.len(), 1);
        let deltas = git(
            dir.path(),
            &["verify-pack", "-v", &{
                let idx = std::fs::read_dir(dir.path().join(".git/objects/pack"))
                    .expect("pack dir")
                    .flatten()
                    .map(|e| e.path())
                    .find(|p| p.extension().is_some_and(|e| e == "idx"))
                    .expect("an index");
                idx.to_string_lossy().into_owned()
            }],
        );
        assert!(
            deltas.contains("chain length = 10"),
            "the fixture has long delta chains:\n{deltas}"
        );
        for limit in [0, 4 << 10, 96 << 20] {
            let reader = Reader::new(&packs, &repo.objects, limit);
            // Twice, so the second pass reads from the cache where it can.
            for _ in 0..2 {
                for id in ids.lines() {
                    let id = gix::ObjectId::from_hex(id.as_bytes()).expect("id");
                    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
                    let header = reader.try_header(&id).expect("header").expect("found");
                    let a = reader
                        .try_find(&id, &mut ours)
                        .expect("read")
                        .expect("found");
                    let b = repo
                        .objects
                        .try_find(&id, &mut theirs)
                        .expect("read")
                        .expect("found");
                    assert_eq!(
                        (a.kind, a.data),
                        (b.kind, b.data),
                        "{id} with cache {limit}"
                    );
                    assert_eq!((header.kind, header.size), (b.kind, b.data.len() as u64));
                }
            }
        }
    }

    /// Overwrites the start of the first pack entry that `pick` chooses with
    /// `header`, then asks a fresh reader for that object.
    fn read_corrupt_entry(pick: impl Fn(&EntryHeader) -> bool, header: &[u8], says: &str) {
        let dir = packed_repository();
        let repo = gix::open(dir.path()).expect("open");
        let objects_dir = [repo.objects.store_ref().path().to_owned()];
        let packs = Packs::open(&objects_dir, repo.object_hash());
        let bundle = &packs.bundles[0];
        let (id, offset) = (0..bundle.index.num_objects())
            .map(|i| {
                (
                    bundle.index.oid_at_index(i).to_owned(),
                    bundle.index.pack_offset_at_index(i),
                )
            })
            .find(|(_, offset)| bundle.pack.entry(*offset).is_ok_and(|e| pick(&e.header)))
            .expect("an entry of that kind");
        let path = bundle.pack.path().to_owned();
        drop(packs);
        let mut bytes = std::fs::read(&path).expect("read pack");
        bytes[offset as usize..offset as usize + header.len()].copy_from_slice(header);
        std::fs::remove_file(&path).expect("rm");
        std::fs::write(&path, bytes).expect("write pack");
        let packs = Packs::open(&objects_dir, repo.object_hash());
        let reader = Reader::new(&packs, &repo.objects, 96 << 20);
        let mut buffer = Vec::new();
        let error = reader
            .try_find(&id, &mut buffer)
            .expect_err("refused")
            .to_string();
        assert!(error.contains(says), "{error}");
        assert!(reader.try_header(&id).is_err());
    }

    #[test]
    fn a_corrupt_size_is_an_error_not_an_abort() {
        // A whole blob, so the claimed size is what the reader would allocate: type
        // blob (3), then a size of about 2^52 in git's variable-length encoding.
        read_corrupt_entry(
            |h| matches!(h, EntryHeader::Blob),
            &[
                0x80 | (3 << 4) | 0x0f,
                0xff,
                0xff,
                0xff,
                0xff,
                0xff,
                0xff,
                0x7f,
            ],
            "larger than its data can inflate to",
        );
    }

    #[test]
    fn a_delta_base_before_the_pack_is_an_error() {
        // An offset delta (type 6) of size 1 whose base lies about 2^28 bytes back,
        // before the start of this small pack.
        read_corrupt_entry(
            |h| matches!(h, EntryHeader::OfsDelta { .. }),
            &[6 << 4 | 0x01, 0xff, 0xff, 0xff, 0x7f],
            "before the pack's start",
        );
    }

    #[test]
    fn deltas_copy_and_insert() {
        let base = b"hello, world\n";
        // base size 13, result size 18; copy 7 bytes from 0, insert "there, ", copy 6 from 7
        let mut delta = vec![13, 20, 0x90, 7];
        delta.push(7);
        delta.extend_from_slice(b"there, ");
        delta.extend_from_slice(&[0x91, 7, 6]);
        assert_eq!(
            apply_delta(base, &delta, Vec::new()).as_deref(),
            Some(&b"hello, there, world\n"[..])
        );
    }

    #[test]
    fn corrupt_deltas_are_refused() {
        let base = b"abc";
        assert_eq!(
            apply_delta(base, &[4, 1, 1, b'x'], Vec::new()),
            None,
            "wrong base size"
        );
        assert_eq!(
            apply_delta(base, &[3, 1, 0], Vec::new()),
            None,
            "reserved command"
        );
        assert_eq!(
            apply_delta(base, &[3, 5, 0x91, 2, 5], Vec::new()),
            None,
            "copy past the base"
        );
        assert_eq!(
            apply_delta(base, &[3, 2, 1, b'x'], Vec::new()),
            None,
            "wrong result size"
        );
        assert_eq!(
            apply_delta(base, &[3, 1, 3, b'x'], Vec::new()),
            None,
            "truncated insert"
        );
    }
}
