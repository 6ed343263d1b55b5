import Foundation

/// syzkaller's title rule for KMSAN reports (google/syzkaller pkg/report/linux.go, as ported
/// in the project's reference tool `syzkaller-titles/check.py`), restated for tests:
///
/// - a frame line matches `^ *(?:\[<?(?:0x)?[0-9a-f]+>?\] ){0,2}([a-zA-Z0-9_]+)(?:\.|\+)`;
/// - the title is `KMSAN: <bug-type> in <F>`, F the first frame of the first stack (the lines
///   after the header, up to `Uninit was stored`/`Uninit was created`/`Local variable ... created
///   at:`) that no skip pattern matches, with syscall prefixes stripped;
/// - no such frame: the report has no proper title (syzkaller calls it corrupted).
enum SyzkallerTitleRules {
    /// The frame regular expression.
    static let frame = try! NSRegularExpression(pattern: #"^ *(?:\[<?(?:0x)?[0-9a-f]+>?\] ){0,2}([a-zA-Z0-9_]+)(?:\.|\+)"#)
    /// Lines that start a new stack, ending the first one.
    static let stackStart = try! NSRegularExpression(
        pattern: #"Call (?:T|t)race|Allocated:|Allocated by task [0-9]+:|Freed:|Freed by task [0-9]+:|Backtrace:|Uninit was stored to memory at|Local variable .* created at:|Uninit was created at:"#)
    /// The general skip list (unanchored regular expressions) and the KMSAN format's own.
    static let skip: NSRegularExpression = {
        let patterns = general + [#"alloc_skb"#, #"netlink_ack"#, #"netlink_rcv_skb"#, #"_encrypt$"#, #"^(?:crypto|cipher|drbg|rng)_"#]
        return try! NSRegularExpression(pattern: patterns.joined(separator: "|"))
    }()
    /// The skip list of the `kernel-usb-infoleak` format (its own, beside the general list).
    static let usbInfoleakSkip: NSRegularExpression = {
        let patterns = general + [#"alloc_skb"#, #"usb_submit_urb"#, #"usb_start_wait_urb"#, #"usb_bulk_msg"#,
                                  #"usb_interrupt_msg"#, #"usb_control_msg"#]
        return try! NSRegularExpression(pattern: patterns.joined(separator: "|"))
    }()

    /// The skip list of the format a bug type belongs to.
    static func skip(forBugType bugType: String) -> NSRegularExpression {
        bugType.hasPrefix("kernel-usb-infoleak") ? usbInfoleakSkip : skip
    }

    /// Prefixes syzkaller strips from a title frame.
    static let prefixes = ["SYSC_", "SyS_", "sys_", "__x64_", "__ia32_", "__arm64_", "____sys_", "___sys_", "__sys_", "__se_",
                           "__se_sys_", "__do_sys_", "compat_SYSC_", "compat_SyS_", "ksys_"]

    /// The title of a KMSAN report's text, or nil if syzkaller could not give it one.
    static func title(ofKMSANReport text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let header = lines.firstIndex(where: { $0.hasPrefix("BUG: KMSAN: ") }) else { return nil }
        let words = lines[header].dropFirst("BUG: KMSAN: ".count).split(separator: " ")
        guard words.count >= 3, words[1] == "in" else { return nil }
        for line in lines[(header + 1)...] {
            if matches(stackStart, line) { break }
            guard let f = function(ofFrameLine: line) else { continue }
            if matches(skip(forBugType: String(words[0])), f) { continue }
            return "KMSAN: \(words[0]) in \(stripped(f))"
        }
        return nil
    }

    /// The function a frame line names, if the frame rule parses it.
    static func function(ofFrameLine line: String) -> String? {
        let range = NSRange(line.startIndex..., in: line)
        guard let m = frame.firstMatch(in: line, range: range), let r = Range(m.range(at: 1), in: line) else { return nil }
        return String(line[r])
    }

    private static func matches(_ re: NSRegularExpression, _ s: String) -> Bool {
        re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }

    private static func stripped(_ f: String) -> String {
        prefixes.map { f.hasPrefix($0) ? String(f.dropFirst($0.count)) : f }.min { $0.count < $1.count } ?? f
    }

    /// syzkaller's skip list for every format (239 patterns).
    static let general: [String] = [
        #"__sanitizer"#, #"__asan"#, #"kasan"#, #"hwasan"#, #"__msan"#, #"kmsan"#,
        #"kcsan_setup_watchpoint"#, #"check_memory_region"#, #"check_heap_object"#, #"check_object"#,
        #"read_word_at_a_time"#, #"(read|write)_once_.*nocheck"#, #"print_address_description"#, #"panic"#,
        #"invalid_op"#, #"report_bug"#, #"fixup_bug"#, #"print_report"#, #"print_usage_bug"#, #"do_error"#,
        #"invalid_op"#, #"_trap$|do_trap"#, #"show_stack"#, #"dump_stack"#, #"walk_stack"#,
        #"dump_backtrace"#, #"warn_slowpath"#, #"warn_alloc"#, #"warn_bogus"#, #"__warn"#, #"alloc_page"#,
        #"k?v?(?:m|z|c)alloc"#, #"krealloc"#, #"kmem_cache"#, #"allocate_slab"#,
        #"__alloc_frozen_pages_noprof"#, #"folio_(?:alloc|unlock)"#, #"filemap_alloc_folio"#,
        #"__filemap_get_folio"#, #"find_or_create_page"#, #"do_read_cache_folio"#, #"read_cache_page"#,
        #"pagecache_get_page"#, #"grab_cache_page_write_begin"#, #"slab_"#, #"debug_object"#,
        #"timer_is_static_object"#, #"work_is_static_object"#, #"__might_fault"#, #"print_unlock"#,
        #"imbalance_bug"#, #"lockdep"#, #"bh_enable"#, #"bh_disable"#, #"perf_trace"#, #"lock_acquire"#,
        #"lock_release"#, #"lock_class"#, #"mark_lock"#, #"(reacquire|mark)_held_locks"#, #"raw_spin_rq"#,
        #"spin_lock"#, #"spin_trylock"#, #"spin_unlock"#, #"read_lock"#, #"read_trylock"#, #"write_lock"#,
        #"write_trylock"#, #"read_unlock"#, #"write_unlock"#, #"^down$"#, #"down_read"#, #"down_write"#,
        #"down_read_trylock"#, #"down_write_trylock"#, #"down_trylock"#, #"up_read"#, #"up_write"#,
        #"^mutex_"#, #"^__mutex_"#, #"^rt_mutex_"#, #"owner_on_cpu"#, #"osq_lock"#, #"osq_unlock"#,
        #"atomic(64)?_(dec|inc|read|set|or|xor|and|add|sub|fetch|xchg|cmpxchg|try)"#,
        #"(set|clear|change|test)_bit"#, #"__wake_up"#, #"^refcount_"#, #"^kref_"#, #"ref_tracker"#,
        #"seqprop_assert"#, #"memcpy"#, #"memcmp"#, #"memset"#, #"memchr"#, #"memmove"#, #"memdup"#,
        #"strcmp"#, #"strncmp"#, #"strcpy"#, #"strlcpy"#, #"strncpy"#, #"strscpy"#, #"strlen"#, #"strstr"#,
        #"strnstr"#, #"strnlen"#, #"strchr"#, #"strdup"#, #"strndup"#, #"copy_to_user"#, #"copy_from_user"#,
        #"copy_to_iter"#, #"copy_from_iter"#, #"copy_page_to_iter"#, #"copy_page_from_iter"#,
        #"copy_folio_to_iter"#, #"^copyin$"#, #"^copyout$"#, #"put_user"#, #"get_user"#, #"might_fault"#,
        #"might_sleep"#, #"list_add"#, #"list_del"#, #"list_replace"#, #"list_move"#, #"list_splice"#,
        #"^rb_"#, #"^__rb_"#, #"_indirect_thunk_"#, #"string"#, #"pointer"#, #"snprintf"#, #"scnprintf"#,
        #"kasprintf"#, #"kvasprintf"#, #"printk"#, #"va_format"#, #"dev_info"#, #"dev_notice"#, #"dev_warn"#,
        #"dev_err"#, #"dev_alert"#, #"dev_crit"#, #"dev_emerg"#, #"program_check_exception"#,
        #"program_check_common"#, #"del_timer"#, #"flush_work"#, #"__cancel_work_timer"#,
        #"cancel_work_sync"#, #"try_to_grab_pending"#, #"flush_workqueue"#, #"drain_workqueue"#,
        #"destroy_workqueue"#, #"queue_work"#, #"finish_wait"#, #"kthread_stop"#, #"kobject_"#,
        #"add_uevent_var"#, #"get_device_parent"#, #"device_add"#, #"device_del"#, #"device_unregister"#,
        #"device_destroy"#, #"device_release"#, #"devres_release_all"#, #"hwrng_unregister"#,
        #"i2c_del_adapter"#, #"__unregister_client"#, #"device_for_each_child"#, #"rollback_registered"#,
        #"unregister_netdev"#, #"sysfs_remove"#, #"device_remove_file"#, #"tty_unregister_device"#,
        #"dummy_urb_enqueue"#, #"usb_kill_urb"#, #"usb_kill_anchored_urbs"#, #"usb_control_msg"#,
        #"usb_hcd_submit_urb"#, #"usb_submit_urb"#, #"^complete$"#, #"wait_for_completion"#, #"^kv?free$"#,
        #"kfree_skb"#, #"readb$"#, #"readw$"#, #"readl$"#, #"readq$"#, #"writeb$"#, #"writew$"#, #"writel$"#,
        #"writeq$"#, #"logic_in"#, #"logic_out"#, #"^crc\d+"#, #"crc_itu_t"#, #"__might_resched"#,
        #"assertfail"#, #"^iput$"#, #"^iput_final$"#, #"^ihold$"#, #"hex_dump_to_buffer"#,
        #"print_hex_dump"#, #"^klist_"#, #"(trace|lockdep)_(hard|soft)irq"#, #"^(un)?lock_page"#,
        #"stack_trace_consume_entry"#, #"arch_stack_walk"#, #"stack_trace_save"#, #"insert_work"#,
        #"__queue_delayed_work"#, #"queue_delayed_work_on"#, #"ida_free"#, #"do_(kernel|translation)_fault"#,
        #"do_mem_abort"#, #"el1_abort"#, #"el1h_64_sync(?:_handler)?"#, #"print_tainted"#,
        #"xas_(?:start|load|find)"#, #"find_lock_entries"#, #"truncate_inode_pages_range"#, #"__phys_addr"#,
        #"__fortify_report"#, #"cleanup_srcu_struct"#, #"rhashtable_lookup"#, #"extract_(user|iter)_to_sg"#,
        #"drop_nlink"#, #"^get_taint$"#, #"^put_device$"#, #"lock_timer_base"#, #"__timer_delete_sync"#,
        #"sk_stop_timer_sync"#, #"__mod_timer"#, #"fast_dput"#, #"dput"#, #"mark_buffer_dirty"#,
    ]
}
