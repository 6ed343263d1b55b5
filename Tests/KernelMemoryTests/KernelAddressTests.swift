import KernelMemory
import Testing

/// `KernelAddress` and `PageFrameNumber`: formatting, page arithmetic and the `+`/`-` operators.
@Suite("Kernel addresses")
struct KernelAddressTests {
    // MARK: Formatting

    /// `%px` prints 16 lowercase hex digits without a `0x` prefix.
    @Test("description is 16 lowercase hex digits, like %px")
    func descriptionIsPx() {
        let expected = "ffff888000001abc"
        let address = KernelAddress(0xffff_8880_0000_1abc)
        #expect(address.description == expected)
        #expect("\(address)" == expected)
    }

    /// Small addresses are zero-padded on the left to 16 digits.
    @Test("small addresses are zero-padded to 16 digits")
    func smallAddressIsPadded() {
        #expect(KernelAddress.null.description == "0000000000000000")
        #expect(KernelAddress(0x10000).description == "0000000000010000")
        #expect(KernelAddress(0xA).description == "000000000000000a")
    }

    /// No hex digit is ever printed in upper case.
    @Test("description never uses upper-case digits")
    func descriptionHasNoUpperCase() {
        let text = KernelAddress(0xABCD_EF01_2345_6789).description
        #expect(text == "abcdef0123456789")
        #expect(text == text.lowercased())
        #expect(!text.hasPrefix("0x"))
    }

    /// `hex16` formats any value to exactly 16 digits, including the extremes.
    @Test("hex16 pads and never truncates", arguments: [
        (UInt64(0), "0000000000000000"),
        (UInt64(1), "0000000000000001"),
        (UInt64(0xdead_beef), "00000000deadbeef"),
        (UInt64(0x0fff_ffff_ffff_ffff), "0fffffffffffffff"),
        (UInt64.max, "ffffffffffffffff"),
    ])
    func hex16Formats(value: UInt64, expected: String) {
        let text = hex16(value)
        #expect(text == expected)
        #expect(text.count == 16)
    }

    /// `PageFrameNumber` prints as `pfn:0x` followed by unpadded lowercase hex.
    @Test("page frame numbers print as pfn:0x...")
    func pfnDescription() {
        #expect(PageFrameNumber(0).description == "pfn:0x0")
        #expect(PageFrameNumber(0x3fff).description == "pfn:0x3fff")
    }

    // MARK: Null

    /// Only address 0 is the null pointer.
    @Test("only address zero is null")
    func nullAddress() {
        #expect(KernelAddress.null.isNull)
        #expect(KernelAddress(0).isNull)
        #expect(!KernelAddress(1).isNull)
        #expect(!PAGE_OFFSET.isNull)
    }

    // MARK: Page arithmetic

    /// The page offset is the low 12 bits; a page-aligned address has offset 0.
    @Test("pageOffset is the low 12 bits")
    func pageOffset() {
        #expect(KernelAddress(0xffff_8880_0000_1abc).pageOffset == 0xabc)
        #expect(KernelAddress(0xffff_8880_0000_1fff).pageOffset == 0xfff)
        #expect(KernelAddress(0xffff_8880_0000_1000).pageOffset == 0)
    }

    /// `pageAligned` clears the low 12 bits; an already aligned address is unchanged.
    @Test("pageAligned rounds down to the page; aligned addresses stay put")
    func pageAligned() {
        let inside = KernelAddress(0xffff_8880_0000_1abc)
        #expect(inside.pageAligned == KernelAddress(0xffff_8880_0000_1000))
        let aligned = KernelAddress(0xffff_8880_0000_2000)
        #expect(aligned.pageAligned == aligned)
        #expect(KernelAddress(0xfff).pageAligned == .null)
    }

    /// `alignedDown(to:)` rounds down to any power of two; aligned inputs are unchanged.
    @Test("alignedDown rounds down to a power of two", arguments: [
        (UInt64(0x1007), 8, UInt64(0x1000)),
        (UInt64(0x100f), 8, UInt64(0x1008)),
        (UInt64(0x1008), 8, UInt64(0x1008)),
        (UInt64(0x12345), 1, UInt64(0x12345)),
        (UInt64(0x7f_ffff), 0x40_0000, UInt64(0x40_0000)),
        (UInt64(0x3f_ffff), 0x40_0000, UInt64(0)),
    ])
    func alignedDown(raw: UInt64, alignment: Int, expected: UInt64) {
        #expect(KernelAddress(raw).alignedDown(to: alignment) == KernelAddress(expected))
    }

    /// Aligning to PAGE_SIZE is the same as `pageAligned`.
    @Test("alignedDown(to: PAGE_SIZE) equals pageAligned")
    func alignedDownToPageMatchesPageAligned() {
        let address = KernelAddress(0xffff_c900_0001_2345)
        #expect(address.alignedDown(to: PAGE_SIZE) == address.pageAligned)
    }

    // MARK: Operators

    /// Adding and subtracting byte offsets moves the address; negative offsets move back.
    @Test("+ and - with byte offsets")
    func offsetArithmetic() {
        let base = KernelAddress(0xffff_8880_0000_1000)
        #expect(base + 0x10 == KernelAddress(0xffff_8880_0000_1010))
        #expect(base - 0x10 == KernelAddress(0xffff_8880_0000_0ff0))
        #expect(base + -0x10 == base - 0x10)
        #expect(base - -0x10 == base + 0x10)
        #expect(base + 0 == base)
    }

    /// Pointer arithmetic wraps around the 64-bit space instead of trapping.
    @Test("+ and - wrap around the ends of the address space")
    func offsetArithmeticWraps() {
        #expect(KernelAddress(UInt64.max) + 1 == .null)
        #expect(KernelAddress.null - 1 == KernelAddress(UInt64.max))
        #expect(KernelAddress(UInt64.max - 1) + 3 == KernelAddress(1))
    }

    /// The difference of two addresses is a signed byte distance in either direction.
    @Test("address - address is the signed distance")
    func addressDifference() {
        let low = KernelAddress(0xffff_8880_0000_1000)
        let high = KernelAddress(0xffff_8880_0000_3000)
        #expect(high - low == 0x2000)
        #expect(low - high == -0x2000)
        #expect(low - low == 0)
        #expect(low + (high - low) == high)
    }

    /// Addresses compare numerically as unsigned 64-bit values (kernel addresses sort last).
    @Test("ordering is unsigned")
    func ordering() {
        #expect(KernelAddress(0x1000) < KernelAddress(0x2000))
        #expect(!(KernelAddress(0x2000) < KernelAddress(0x1000)))
        #expect(TASK_SIZE < PAGE_OFFSET)
        #expect([PAGE_OFFSET, .null, TASK_SIZE].sorted() == [.null, TASK_SIZE, PAGE_OFFSET])
    }

    // MARK: Frames

    /// A frame's physical address is its index shifted by PAGE_SHIFT; `advanced(by:)` moves by frames.
    @Test("physical address and advancing of page frame numbers")
    func pageFrameArithmetic() {
        #expect(PAGE_SIZE == 1 << PAGE_SHIFT)
        #expect(PageFrameNumber(0).physicalAddress == 0)
        #expect(PageFrameNumber(3).physicalAddress == 0x3000)
        #expect(PageFrameNumber(10).advanced(by: 5) == PageFrameNumber(15))
        #expect(PageFrameNumber(10).advanced(by: -10) == PageFrameNumber(0))
        #expect(PageFrameNumber(1) < PageFrameNumber(2))
        #expect(!(PageFrameNumber(2) < PageFrameNumber(2)))
    }
}
