import Foundation

/// The rules syzkaller's Linux report parser (pkg/report/linux.go) applies to KMSAN reports,
/// restated for the product's own tests: the frame regular expression, and the title
/// `KMSAN: <type> in <F>` where F is the first frame of the first stack that survives the skip
/// list. The skip list here is the part report-format.md names, which is what the frame names
/// of this package must avoid.
enum SyzkallerTitle {
    /// `^ *(?:\[<?(?:0x)?[0-9a-f]+>?\] ){0,2}([a-zA-Z0-9_]+)(?:\.|\+)`
    static let frame = try! NSRegularExpression(pattern: #"^ *(?:\[<?(?:0x)?[0-9a-f]+>?\] ){0,2}([a-zA-Z0-9_]+)(?:\.|\+)"#)
    /// Substrings that make syzkaller skip a frame when picking a title.
    static let skip = ["alloc", "vmalloc", "kfree", "slab_", "kmem_cache", "memcpy", "memset", "copy_to_user",
                       "usb_submit_urb", "string", "pointer", "kmsan", "__msan", "kunit"]

    /// The function a frame line names, if syzkaller's frame rule parses it.
    static func function(ofFrameLine line: String) -> String? {
        let range = NSRange(line.startIndex..., in: line)
        guard let m = frame.firstMatch(in: line, range: range), let r = Range(m.range(at: 1), in: line) else { return nil }
        return String(line[r])
    }

    /// The title syzkaller would give a KMSAN report's text, or nil if it cannot parse it.
    static func title(of text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let header = lines.firstIndex(where: { $0.hasPrefix("BUG: KMSAN: ") }) else { return nil }
        let words = lines[header].dropFirst("BUG: KMSAN: ".count).split(separator: " ")
        guard words.count >= 3, words[1] == "in" else { return nil }
        let bugType = String(words[0])
        for line in lines[(header + 1)...] {
            if line.hasPrefix("Uninit was stored") || line.hasPrefix("Uninit was created") || line.hasPrefix("Local variable") { break }
            guard let f = function(ofFrameLine: line) else { continue }
            if skip.contains(where: { f.contains($0) }) { continue }
            return "KMSAN: \(bugType) in \(f)"
        }
        return nil
    }
}
