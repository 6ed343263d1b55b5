import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A JUnit XML document checked against the required parts of the JUnit schema (the Ant/Jenkins
/// `junit.xsd`): a `testsuites` root of `testsuite` elements, each with `name` and `tests` (and
/// the `failures`, `errors`, `skipped` counts its testcases bear out), each `testcase` with
/// `name`, `classname` and `time`, and at most one `failure`, `error` or `skipped` child, a
/// failure or error carrying a `message`.
struct JUnitDocument {
    /// An element: name, attributes, text, children.
    final class Element {
        let name: String
        let attributes: [String: String]
        var text = ""
        var children: [Element] = []
        init(_ name: String, _ attributes: [String: String]) { self.name = name; self.attributes = attributes }
        /// A testcase's outcome element name ("" when it passed).
        var outcome: String { children.first { ["failure", "error", "skipped"].contains($0.name) }?.name ?? "" }
        /// A testsuite's testcases.
        var cases: [Element] { children.filter { $0.name == "testcase" } }
    }

    /// Not well-formed XML.
    struct Malformed: Error {}

    let root: Element
    /// Where the document departs from the schema.
    var problems: [String] = []
    /// The test suites.
    var suites: [Element] { root.children.filter { $0.name == "testsuite" } }

    init(_ xml: String) throws {
        let builder = Builder()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = builder
        guard parser.parse(), builder.stack.isEmpty, let root = builder.root else { throw Malformed() }
        self.root = root
        if root.name != "testsuites" { problems.append("the root is <\(root.name)>") }
        for suite in suites {
            for key in ["name", "tests"] where suite.attributes[key] == nil { problems.append("a testsuite without \(key)") }
            let cases = suite.cases
            func count(_ outcome: String) -> String { String(cases.count { $0.outcome == outcome }) }
            if suite.attributes["tests"] != String(cases.count) { problems.append("\(suite.attributes["name"] ?? "?"): tests") }
            for key in ["failures": "failure", "errors": "error", "skipped": "skipped"] {
                if let v = suite.attributes[key.key], v != count(key.value) { problems.append("\(suite.attributes["name"] ?? "?"): \(key.key)") }
            }
            for c in cases {
                for key in ["name", "classname", "time"] where c.attributes[key] == nil { problems.append("a testcase without \(key)") }
                let outcomes = c.children.filter { ["failure", "error", "skipped"].contains($0.name) }
                if outcomes.count > 1 { problems.append("\(c.attributes["name"] ?? "?"): several outcomes") }
                for o in outcomes where o.name != "skipped" && o.attributes["message"] == nil {
                    problems.append("\(c.attributes["name"] ?? "?"): a \(o.name) without a message")
                }
            }
        }
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: Element?
        var stack: [Element] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            let e = Element(name, attributes)
            if let parent = stack.last { parent.children.append(e) } else { root = e }
            stack.append(e)
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { stack.last?.text += string }
    }
}
