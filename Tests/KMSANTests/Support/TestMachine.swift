import KMSAN
import KernelMemory

/// A fresh simulated machine for one test: memory, runtime, an in-memory sink and CPU 0
/// running a task, torn down (host memory returned) when the test drops it.
final class TestMachine {
    /// Every report of the machine, in order.
    let sink = InMemoryReportSink()
    /// The runtime under test.
    let runtime: KMSANRuntime
    /// CPU 0.
    let cpu: KernelCPU
    private var nextFrame = 0

    /// Boots `memory` bytes with `options`.
    init(memory: Int = 8 << 20, options: KMSANOptions = KMSANOptions()) throws {
        runtime = try KMSANRuntime.boot(memorySize: memory, options: options, sink: sink)
        cpu = runtime.makeCPU(id: 0, comm: "kunit_try_catch")
    }

    deinit { runtime.shutdown() }

    /// Reports so far.
    var reports: [KernelReport] { sink.reports }
    /// `KMSAN: <type> in <func>` of each report so far.
    var titles: [String] { sink.reports.map(\.title) }
    /// The address space.
    var space: AddressSpace { runtime.addressSpace }

    /// Runs `body` as function `name` called from `kunit_try_run_case`, like a KUnit case.
    func run(_ name: String = "test_case", _ body: () -> Void) {
        cpu.call(runtime.symbols.site(in: "kunit_try_run_case", file: "lib/kunit/test.c", line: 388)) {
            cpu.call(runtime.symbols.site(in: name, file: "test", line: 1), body)
        }
    }

    /// Frames for `1 << order` pages, naturally aligned, below the boot reservation.
    func frames(order: Int = 0) -> PageFrameNumber {
        let n = 1 << order
        nextFrame = (nextFrame + n - 1) / n * n
        defer { nextFrame += n }
        return PageFrameNumber(nextFrame)
    }

    /// `alloc_pages(gfp, order)` as a page allocator plugin would call it: frames, then
    /// `kmsan_alloc_page` under `alloc_pages`/`__alloc_pages` frames. Returns the address.
    func allocPages(order: Int = 0, gfp: GFPFlags = .kernel) -> KernelAddress {
        let pfn = frames(order: order)
        cpu.call(runtime.symbols.site(in: "alloc_pages", file: "mm/page_alloc.c", line: 4700)) {
            cpu.call(runtime.symbols.site(in: "__alloc_pages", file: "mm/page_alloc.c", line: 4600)) {
                runtime.allocPage(pfn, order: order, gfp: gfp, on: cpu)
            }
        }
        return space.directMapAddress(of: pfn)
    }

    /// `__free_pages(page, order)` calling `kmsan_free_page`.
    func freePages(_ address: KernelAddress, order: Int = 0) {
        let pfn = space.directMapFrame(address)!
        cpu.call(runtime.symbols.site(in: "__free_pages", file: "mm/page_alloc.c", line: 5000)) {
            runtime.freePage(pfn, order: order, on: cpu)
        }
    }

    /// Maps fresh frames into the vmalloc region at `VMALLOC_START + slot * PAGE_SIZE`, one
    /// page per entry of `metadata`, as vmap would; returns the area's address.
    func vmap(slot: Int, metadata: [PageMetadata]) -> KernelAddress {
        let area = VMALLOC_START + slot * PAGE_SIZE
        for (i, kind) in metadata.enumerated() {
            space.vmallocPages.map(area + i * PAGE_SIZE, to: PageMapping(frame: frames(), metadata: kind))
        }
        return area
    }

    /// Shadow bytes of a range (nil entries for untracked bytes).
    func shadow(_ address: KernelAddress, count: Int) -> [UInt8?] {
        (0..<count).map { runtime.metadata(at: address + $0)?.shadow }
    }

    /// Origin slot values of the bytes of a range.
    func origins(_ address: KernelAddress, count: Int) -> [OriginHandle?] {
        (0..<count).map { runtime.metadata(at: address + $0)?.origin }
    }

    /// The origin of one byte's slot.
    func origin(_ address: KernelAddress) -> OriginHandle { runtime.metadata(at: address)?.origin ?? .none }

    /// Loads and uses a value, as `USE(*(int *)address)` does.
    func use(_ width: ValueWidth, at address: KernelAddress) {
        runtime.use(runtime.load(width, from: address, on: cpu), on: cpu)
    }
}
