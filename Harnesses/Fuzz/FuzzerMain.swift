// The libFuzzer entry point: each input is decoded into a program of the bundled plugins' ops
// (ProgramBinaryEncoding: any bytes are a program) and run on a machine restored to its boot
// state. Build and run it with scripts/fuzz-libfuzzer (see README.md, "Fuzzing"):
//
//     swift build -c release --product kmsan-harness-fuzzer --scratch-path .build-fuzz \
//         -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING
//
// Without -DFUZZING (the normal `swift build`) the same executable replays input files:
// `kmsan-harness-fuzzer FILE...` decodes and runs each and prints its reports.
//
// Environment: KMSAN_HARNESS_CRASH_ON = plugin (default) | all | none | title,substrings
// decides which findings are crashes for libFuzzer (LibFuzzerTarget.CrashPolicy);
// KMSAN_HARNESS_FINDINGS = a folder for minimized reproducer scenarios of every new title.
import BundledPlugins
import Foundation
import HarnessCore
import HarnessFuzz

/// The one target of the process. libFuzzer's C callbacks carry no context pointer, so the
/// target has to be reachable from a global; it is built once, before the first input, and only
/// libFuzzer's single fuzzing thread uses it.
nonisolated(unsafe) var target: LibFuzzerTarget?

func makeTarget() -> LibFuzzerTarget {
    let environment = ProcessInfo.processInfo.environment
    do {
        return try LibFuzzerTarget(
            plugins: try PluginSet(BundledPlugins.all),
            policy: .init(environment: environment["KMSAN_HARNESS_CRASH_ON"]),
            findings: environment["KMSAN_HARNESS_FINDINGS"])
    } catch {
        FileHandle.standardError.write(Data("kmsan-harness-fuzzer: cannot boot a machine: \(error)\n".utf8))
        exit(2)
    }
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// `LLVMFuzzerCustomMutator`: mutates the program, not the bytes.
@_cdecl("LLVMFuzzerCustomMutator")
public func customMutator(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    guard let data, let target else { return 0 }
    let out = target.mutate(Array(UnsafeBufferPointer(start: data, count: size)), maxSize: maxSize, seed: seed)
    out.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: out.count) }
    return out.count
}

/// `LLVMFuzzerCustomCrossOver`: splices two programs.
@_cdecl("LLVMFuzzerCustomCrossOver")
public func customCrossOver(
    _ a: UnsafePointer<UInt8>?, _ aSize: Int, _ b: UnsafePointer<UInt8>?, _ bSize: Int,
    _ out: UnsafeMutablePointer<UInt8>?, _ maxSize: Int, _ seed: UInt32
) -> Int {
    guard let a, let b, let out, let target else { return 0 }
    let first = Array(UnsafeBufferPointer(start: a, count: aSize)), second = Array(UnsafeBufferPointer(start: b, count: bSize))
    let bytes = target.crossOver(first, second, maxSize: maxSize, seed: seed)
    bytes.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: bytes.count) }
    return bytes.count
}
#endif

@main
struct KMSANHarnessFuzzer {
    static func main() {
        target = makeTarget()
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
            if let crash = target?.run(bytes) {
                FileHandle.standardError.write(Data((crash.kernelText + "kmsan-harness-fuzzer: crash: \(crash.title)\n").utf8))
                abort()
            }
            return 0
        }
        exit(status)
        #else
        replay(Array(CommandLine.arguments.dropFirst()))
        #endif
    }

    /// Decodes and runs each file, printing the program and its reports.
    static func replay(_ files: [String]) {
        guard !files.isEmpty else {
            print("usage: kmsan-harness-fuzzer FILE...  (built with -DFUZZING: a libFuzzer target; see scripts/fuzz-libfuzzer)")
            exit(64)
        }
        guard let target else { exit(2) }
        var crashed = false
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                FileHandle.standardError.write(Data("kmsan-harness-fuzzer: cannot read \(file)\n".utf8))
                exit(66)
            }
            let bytes = [UInt8](data)
            let program = ProgramBinaryEncoding(table: target.table).decode(bytes)
            let text = ProgramText(table: target.table).scenario(program, name: "fuzz_prog", header: ["expect no-report"])
            print("# \(file)\n" + text)
            if let crash = target.run(bytes) {
                print(crash.kernelText + "crash: \(crash.title)")
                crashed = true
            }
        }
        exit(crashed ? 1 : 0)
    }
}
