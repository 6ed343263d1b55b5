import Foundation

extension KernelReport {
    /// The report as one line of JSON with sorted keys (stable for comparisons), plus the
    /// `title` syzkaller would compare and the full `text`.
    public var jsonLine: String {
        struct Envelope: Encodable {
            var type = "report"
            var title: String
            var report: KernelReport
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(Envelope(title: title, report: self)),
              let line = String(data: data, encoding: .utf8)
        else { return #"{"type":"report","error":"unencodable"}"# }
        return line
    }

    /// Decodes a report from the `report` member of a `jsonLine`.
    public static func fromJSONLine(_ line: String) throws -> KernelReport {
        struct Envelope: Decodable { var report: KernelReport }
        return try JSONDecoder().decode(Envelope.self, from: Data(line.utf8)).report
    }
}
