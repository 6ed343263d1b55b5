// swift-tools-version:6.0
//
// kmsan-harness: a plugin-based allocator test harness around a faithful model of
// the Linux kernel's KMSAN runtime. See README.md and CONTRIBUTING.md.
import PackageDescription

let package = Package(
    name: "kmsan-harness",
    products: [
        .executable(name: "kmsan-harness", targets: ["kmsan-harness"]),
        .library(name: "KernelMemory", targets: ["KernelMemory"]),
        .library(name: "KMSAN", targets: ["KMSAN"]),
    ],
    targets: [
        // jemalloc 5.3 from Debian (libjemalloc-dev); shims expose its macros.
        .systemLibrary(
            name: "CJemalloc",
            path: "Sources/CJemalloc",
            pkgConfig: "jemalloc",
            providers: [.apt(["libjemalloc-dev"])]
        ),
        // Simulated physical memory, page frames with shadow/origin pages, and the
        // simulated kernel virtual address space.
        .target(name: "KernelMemory", dependencies: ["CJemalloc"]),
        // The KMSAN runtime: stack depot, origins, poisoning, checks, reports, contexts.
        .target(name: "KMSAN", dependencies: ["KernelMemory"]),
        // The command-line tool.
        .executableTarget(name: "kmsan-harness", dependencies: ["KMSAN", "KernelMemory"]),
        .testTarget(name: "KernelMemoryTests", dependencies: ["KernelMemory"]),
        .testTarget(name: "KMSANTests", dependencies: ["KMSAN", "KernelMemory"]),
    ]
)
