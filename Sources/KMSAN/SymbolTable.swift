import KernelMemory
import Synchronization

/// The simulated kernel's symbols: named functions, their call sites, and local-variable
/// names, each interned once and given a deterministic synthetic address.
///
/// Functions get indices in the order they are first named, so the same program yields the
/// same addresses, handles and report text. Offsets and sizes printed in frames are derived
/// from the names and source locations alone. Thread-safe; intern call sites once (at plugin
/// set-up or scenario compilation) and keep the `CallSite` values for hot paths.
public final class SymbolTable: Sendable {
    private struct Function {
        var name: String
        var size: Int
        var sites: [(offset: Int, location: String?)]
        /// Whether the function is a subsystem's API entry point (`FrameRole.subsystemEntry`).
        var isSubsystemEntry = false
        /// Whether the function enters a context on top of other code (`FrameRole.contextEntry`).
        var isContextEntry = false
        /// Whether the kernel inlines the function (`FrameInlining.inlined`).
        var isInlined = false
    }
    private struct SiteKey: Hashable {
        var function: String
        var location: String?
        var discriminator: Int
    }
    private struct Storage {
        var functions: [Function] = []
        var functionIndex: [String: Int] = [:]
        var sites: [SiteKey: CallSite] = [:]
        var strings: [String] = []
        var stringIndex: [String: Int] = [:]
    }
    private let storage = Locked(Storage())

    /// Base of the synthetic addresses of interned strings (local-variable descriptions).
    static let stringBase: UInt64 = 0xffff_ffff_c000_0000

    /// Creates an empty table.
    public init() {}

    /// The table's functions, sites and strings, for `restoreState(_:)`.
    public func saveState() -> SavedState { storage.saveState() }

    /// Puts back what `saveState()` returned.
    public func restoreState(_ saved: SavedState) { storage.restoreState(saved) }

    /// Makes a name a C identifier, so that syzkaller's frame rule (`[a-zA-Z0-9_]+` then `+`)
    /// parses it: other characters become `_`.
    public static func cIdentifier(_ name: String) -> String {
        var out = ""
        for scalar in name.unicodeScalars {
            let ok = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z")
                || (scalar >= "0" && scalar <= "9") || scalar == "_"
            out.unicodeScalars.append(ok ? scalar : "_")
        }
        return out.isEmpty ? "_" : out
    }

    /// The call site inside `function` at `file:line`. The same arguments give the same site.
    /// A `discriminator` tells apart several sites on one line (e.g. scenario columns). With
    /// `role: .subsystemEntry` the function is marked as a subsystem's API entry point, which
    /// HARNESS report headers skip (see `FrameRole`); a mark is never removed. With
    /// `inlining: .inlined` the function prints as an inlined frame (see `FrameInlining`).
    public func site(
        in function: String, file: String? = nil, line: Int = 0, discriminator: Int = 0, role: FrameRole = .ordinary,
        inlining: FrameInlining = .outOfLine
    ) -> CallSite {
        let name = Self.cIdentifier(function)
        let location = file.map { "\($0):\(line)" }
        let key = SiteKey(function: name, location: location, discriminator: discriminator)
        return storage.withLock { s in
            if let site = s.sites[key] { return site }
            let f: Int
            if let existing = s.functionIndex[name] {
                f = existing
            } else {
                f = min(s.functions.count, CallSite.maxFunctions - 1)
                if f == s.functions.count {
                    s.functions.append(Function(name: name, size: Self.size(of: name), sites: []))
                }
                s.functionIndex[name] = f
            }
            let size = s.functions[f].size
            let index = min(s.functions[f].sites.count, CallSite.sitesPerFunction - 1)
            if index == s.functions[f].sites.count {
                let seed = fnv1a(location ?? "") &+ UInt64(line) &* 0x9e37_79b9 &+ UInt64(discriminator) &* 31
                let offset = 0x5 + Int(seed % UInt64(size - 0x10))
                s.functions[f].sites.append((offset, location))
            }
            if role == .subsystemEntry { s.functions[f].isSubsystemEntry = true }
            if role == .contextEntry { s.functions[f].isContextEntry = true }
            if inlining == .inlined { s.functions[f].isInlined = true }
            let site = CallSite(function: f, site: index)
            s.sites[key] = site
            return site
        }
    }

    /// Whether `address` is a call site of a function marked as a subsystem API entry point.
    public func isSubsystemEntry(_ address: UInt64) -> Bool {
        let site = CallSite(address: address)
        guard let f = site.functionIndex else { return false }
        return storage.withLock { f < $0.functions.count && $0.functions[f].isSubsystemEntry }
    }

    /// Whether `address` is a call site of a function marked as a context entry.
    public func isContextEntry(_ address: UInt64) -> Bool {
        let site = CallSite(address: address)
        guard let f = site.functionIndex else { return false }
        return storage.withLock { f < $0.functions.count && $0.functions[f].isContextEntry }
    }

    /// The function named by a call site, or nil if it is not one of this table's.
    public func functionName(of site: CallSite) -> String? {
        guard let f = site.functionIndex else { return nil }
        return storage.withLock { f < $0.functions.count ? $0.functions[f].name : nil }
    }

    /// Symbolizes a return address; unknown addresses print as `0x...` hex (like `%pS` of junk).
    public func symbolize(_ address: UInt64) -> SymbolizedFrame {
        let site = CallSite(address: address)
        return storage.withLock { s in
            if let f = site.functionIndex, f < s.functions.count, site.siteIndex < s.functions[f].sites.count {
                let fn = s.functions[f]
                let info = fn.sites[site.siteIndex]
                return SymbolizedFrame(
                    function: fn.name, offset: info.offset, size: fn.size, location: info.location, isInlined: fn.isInlined)
            }
            return SymbolizedFrame(function: "0x" + String(address, radix: 16), offset: 0, size: 0)
        }
    }

    /// Every call site interned so far, function by function in interning order: what a listing
    /// of the frames a plugin pushes (Documentation/KernelFrames.md) is checked against.
    public func internedSites() -> [SymbolizedFrame] {
        storage.withLock { s in
            s.functions.flatMap { fn in
                fn.sites.map {
                    SymbolizedFrame(function: fn.name, offset: $0.offset, size: fn.size, location: $0.location,
                                    isInlined: fn.isInlined)
                }
            }
        }
    }

    /// Interns a string (a local variable's description) and returns its synthetic address.
    public func intern(_ string: String) -> UInt64 {
        storage.withLock { s in
            if let i = s.stringIndex[string] { return Self.stringBase + UInt64(i) }
            s.strings.append(string)
            s.stringIndex[string] = s.strings.count - 1
            return Self.stringBase + UInt64(s.strings.count - 1)
        }
    }

    /// The string behind an address from `intern`.
    public func string(at address: UInt64) -> String? {
        guard address >= Self.stringBase else { return nil }
        let i = Int(address - Self.stringBase)
        return storage.withLock { i < $0.strings.count ? $0.strings[i] : nil }
    }

    /// A deterministic function size in 0x100...0xfe0, from the name alone.
    static func size(of name: String) -> Int { 0x100 + Int(fnv1a(name) % 0x70) * 0x20 }
}

/// What a function is to report headers.
///
/// HARNESS findings name the caller of the misused API, as the kernel's reports skip frames by
/// name (KMSAN skips `kmsan_*`, KFENCE skips up to the allocator's entry points): a plugin
/// interns the frames of its API functions (`kfree`, `__free_pages`, `free_pages`) with
/// `.subsystemEntry`, and the header names the first frame outside the innermost run of entry
/// frames.
public enum FrameRole: Sendable, Equatable {
    /// An ordinary function.
    case ordinary
    /// An API entry point of a subsystem (the function a caller misuses).
    case subsystemEntry
    /// The entry of a context run on top of other code (an interrupt's `handle_irq_event`, a
    /// kworker's `process_one_work`): the frames below it are the interrupted code's, so a
    /// HARNESS header never looks past it for a subsystem entry.
    case contextEntry
}

/// Whether the kernel compiles a function out of line or inlines it into its caller.
///
/// A KMSAN stack holds return addresses, so an inlined function (`kmalloc_noprof`,
/// `slab_alloc_node`, `slab_post_alloc_hook`) has no entry of its own; the symbolizer that
/// syzbot runs over the console log expands each address into the inlined calls, printing them
/// as `name file:line [inline]` above the real frame. Reports here are printed symbolized, so
/// inlined functions are frames, printed that way; headers name the first real frame, and
/// syzkaller's frame rule (which needs `name+0x`) skips them, as it never sees them raw.
public enum FrameInlining: Sendable, Equatable {
    /// A real function: `name+0xOFF/0xSIZE file:line`.
    case outOfLine
    /// Inlined into its caller: `name file:line [inline]`.
    case inlined
}

/// 64-bit FNV-1a over bytes: the one hash of the package's deterministic names (frame
/// offsets, corpus file names, fuzz signal).
package func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
}

/// 64-bit FNV-1a over UTF-8.
package func fnv1a(_ s: String) -> UInt64 { fnv1a(s.utf8) }
