import KernelMemory
import Testing

/// `BootMemoryAllocator`: the memblock-like pool of frames at the top of physical memory.
@Suite("Boot memory allocator")
struct BootMemoryAllocatorTests {
    let memory: PhysicalMemory

    init() throws {
        memory = try PhysicalMemory(size: 4 << 20) // 1024 frames
    }

    // MARK: Reservation

    /// The default pool is the top 256 frames.
    @Test("the default pool is the top 256 frames")
    func defaultPool() {
        let boot = BootMemoryAllocator(memory: memory)
        #expect(boot.frameCount == BootMemoryAllocator.defaultFrames)
        #expect(boot.firstFrame.index == memory.frameCount - boot.frameCount)
        #expect(boot.allocatedFrames == 0)
    }

    /// A requested size is honoured and the pool ends at the last frame of memory.
    @Test("a requested pool size reserves the top frames", arguments: [4, 16, 64, 128])
    func requestedPool(frames: Int) {
        let boot = BootMemoryAllocator(memory: memory, frames: frames)
        #expect(boot.frameCount == frames)
        #expect(boot.firstFrame == PageFrameNumber(memory.frameCount - frames))
    }

    /// Pool sizes are clamped to [4, frameCount / 4] and rounded down to a multiple of 4.
    @Test("pool sizes are clamped and rounded", arguments: [
        (0, 4), (1, 4), (10, 8), (255, 252), (1 << 20, 256),
    ])
    func clampedPool(requested: Int, expected: Int) {
        let boot = BootMemoryAllocator(memory: memory, frames: requested)
        #expect(boot.frameCount == expected)
        #expect(boot.firstFrame.index == memory.frameCount - boot.frameCount)
    }

    // MARK: Allocation

    /// Blocks of order 0, 1 and 2 are naturally aligned and lie inside the pool.
    @Test("blocks are naturally aligned and inside the pool", arguments: [0, 1, 2])
    func naturallyAligned(order: Int) throws {
        let boot = BootMemoryAllocator(memory: memory, frames: 64)
        _ = try #require(boot.allocate(order: 0)) // misalign the next free frame
        let n = 1 << order
        for _ in 0..<4 {
            let block = try #require(boot.allocate(order: order))
            #expect(block.index % n == 0, "\(block) is not aligned to \(n) frames")
            #expect(block >= boot.firstFrame)
            #expect(block.index + n <= memory.frameCount)
        }
        #expect(boot.allocatedFrames == 1 + 4 * n)
    }

    /// Blocks never overlap one another.
    @Test("allocated blocks do not overlap")
    func blocksDoNotOverlap() throws {
        let boot = BootMemoryAllocator(memory: memory, frames: 32)
        var owned = Set<Int>()
        for order in [0, 2, 1, 0, 2, 1, 0] {
            let block = try #require(boot.allocate(order: order))
            for frame in block.index..<(block.index + (1 << order)) {
                #expect(owned.insert(frame).inserted, "frame \(frame) handed out twice")
            }
        }
        #expect(boot.allocatedFrames == owned.count)
    }

    /// `allocatedFrames` counts frames, not blocks, and goes down on free.
    @Test("allocatedFrames counts frames in use")
    func allocatedFramesCounts() throws {
        let boot = BootMemoryAllocator(memory: memory, frames: 16)
        let a = try #require(boot.allocate(order: 2))
        let b = try #require(boot.allocate(order: 0))
        #expect(boot.allocatedFrames == 5)
        #expect(boot.free(a, order: 2))
        #expect(boot.allocatedFrames == 1)
        #expect(boot.free(b, order: 0))
        #expect(boot.allocatedFrames == 0)
    }

    // MARK: Free and reuse

    /// A freed block is handed out again.
    @Test("a freed block is reused")
    func freeAndReuse() throws {
        let boot = BootMemoryAllocator(memory: memory, frames: 8)
        let block = try #require(boot.allocate(order: 1))
        #expect(boot.free(block, order: 1))
        #expect(boot.allocate(order: 1) == block)
    }

    /// Freeing the same block twice fails the second time.
    @Test("a double free returns false")
    func doubleFree() throws {
        let boot = BootMemoryAllocator(memory: memory, frames: 8)
        let block = try #require(boot.allocate(order: 0))
        #expect(boot.free(block, order: 0))
        #expect(!boot.free(block, order: 0))
        #expect(boot.allocatedFrames == 0)
    }

    /// Freeing an order-0 block as order 2 fails and keeps the block allocated.
    @Test("freeing with a larger order than allocated returns false")
    func freeWithLargerOrder() throws {
        let boot = BootMemoryAllocator(memory: memory, frames: 8)
        let block = try #require(boot.allocate(order: 0))
        #expect(!boot.free(block, order: 2))
        #expect(boot.allocatedFrames == 1)
        #expect(boot.free(block, order: 0))
    }

    /// Freeing an order-2 block as order 0 must fail too: the pool records each block's order.
    @Test("freeing with a smaller order than allocated returns false")
    func freeWithSmallerOrder() throws {
        let boot = BootMemoryAllocator(memory: memory, frames: 8)
        let block = try #require(boot.allocate(order: 2))
        #expect(!boot.free(block, order: 0))
        #expect(!boot.free(block.advanced(by: 1), order: 0))
        #expect(boot.allocatedFrames == 4)
        #expect(boot.free(block, order: 2))
        #expect(boot.allocatedFrames == 0)
    }

    /// Frames outside the pool, or never allocated, cannot be freed.
    @Test("frames outside the pool or never allocated cannot be freed")
    func freeForeignFrames() throws {
        let boot = BootMemoryAllocator(memory: memory, frames: 8)
        _ = try #require(boot.allocate(order: 0))
        #expect(!boot.free(boot.firstFrame.advanced(by: -1), order: 0))
        #expect(!boot.free(PageFrameNumber(memory.frameCount), order: 0))
        #expect(!boot.free(PageFrameNumber(0), order: 0))
        #expect(!boot.free(boot.firstFrame.advanced(by: 4), order: 0))
        #expect(boot.allocatedFrames == 1)
    }

    // MARK: Exhaustion

    /// An 8-frame pool gives out exactly 8 order-0 blocks, then nil until something is freed.
    @Test("an exhausted pool returns nil until a block is freed")
    func exhaustion() throws {
        let boot = BootMemoryAllocator(memory: memory, frames: 8)
        var blocks: [PageFrameNumber] = []
        for _ in 0..<8 { blocks.append(try #require(boot.allocate(order: 0))) }
        #expect(boot.allocatedFrames == 8)
        #expect(boot.allocate(order: 0) == nil)

        #expect(boot.free(blocks[5], order: 0))
        #expect(boot.allocate(order: 0) == blocks[5])
        #expect(boot.allocate(order: 0) == nil)
    }

    /// A fragmented pool cannot satisfy an order-2 request even though enough frames are free.
    @Test("fragmentation makes larger orders fail while smaller ones succeed")
    func fragmentation() throws {
        let boot = BootMemoryAllocator(memory: memory, frames: 8)
        let frames = try (0..<8).map { _ in try #require(boot.allocate(order: 0)) }
        #expect(boot.free(frames[1], order: 0))
        #expect(boot.free(frames[2], order: 0))
        #expect(boot.free(frames[5], order: 0))
        #expect(boot.free(frames[6], order: 0))
        #expect(boot.allocate(order: 2) == nil)
        #expect(boot.allocate(order: 0) != nil)
    }

    /// Orders larger than the pool, negative orders and orders above 10 are refused.
    @Test("impossible orders return nil", arguments: [-1, 4, 11, 64])
    func impossibleOrders(order: Int) {
        let boot = BootMemoryAllocator(memory: memory, frames: 8)
        #expect(boot.allocate(order: order) == nil)
        #expect(boot.allocatedFrames == 0)
    }

    /// The whole pool is available as one block when its size and position allow it.
    @Test("the whole pool can be one block")
    func wholePoolAsOneBlock() throws {
        let boot = BootMemoryAllocator(memory: memory, frames: 8)
        let block = try #require(boot.allocate(order: 3))
        #expect(block == boot.firstFrame)
        #expect(boot.allocatedFrames == 8)
        #expect(boot.allocate(order: 0) == nil)
    }
}
