/// The kernel's errno values the harness's ops and plugins return, negated as the kernel returns
/// them (`return -EFAULT;`): include/uapi/asm-generic/errno-base.h and errno.h on x86-64. The
/// one table: an op or plugin that needs another adds it here.
public enum Errno {
    /// No such entry (a pipe naming no endpoint).
    public static let ENOENT = 2
    /// I/O error (`dma_set_mask` refusing a mask).
    public static let EIO = 5
    /// Exec format error (a control URB without a setup packet).
    public static let ENOEXEC = 8
    /// Out of memory.
    public static let ENOMEM = 12
    /// Bad address (a user access that faults).
    public static let EFAULT = 14
    /// Device or resource busy (a URB submitted while active).
    public static let EBUSY = 16
    /// No such device (a disconnected USB device).
    public static let ENODEV = 19
    /// Invalid argument.
    public static let EINVAL = 22
    /// Result out of range (`copy_from_kernel_nofault` of a user address).
    public static let ERANGE = 34
    /// Invalid request descriptor (a control URB whose wLength disagrees with its buffer).
    public static let EBADR = 53
    /// Message too long (an endpoint without a max packet size).
    public static let EMSGSIZE = 90
    /// Cannot send after transport endpoint shutdown (a URB flushed at disconnect).
    public static let ESHUTDOWN = 108
    /// Operation now in progress (a URB in flight).
    public static let EINPROGRESS = 115
}
