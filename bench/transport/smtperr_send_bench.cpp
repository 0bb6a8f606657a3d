// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// The transport benchmark's client: sends M messages over each of C connections with
// async_submit_batch (one io_context, one thread), checks that every report says "sent",
// and prints one line of key=value figures: elapsed time, messages per second, the peak
// heap the sessions used, measured from the moment the messages exist, and the process's
// maximum resident set size.
//
// The heap is counted at the C allocator: this program defines malloc, calloc, realloc,
// reallocarray, free, aligned_alloc, posix_memalign, memalign, valloc and pvalloc on top of
// glibc's __libc_* functions, so every allocation of the process is seen, whichever
// library makes it: operator new (libstdc++'s calls malloc), Asio's aligned_new (calls
// std::aligned_alloc directly), OpenSSL (SSL_new and the BIO pair of Asio's ssl::stream,
// made even for a plain connection), glibc itself (the resolver). Each block counts with
// its usable size (malloc_usable_size), without the allocator's header of a block. Not
// counted: memory mapped by other means (thread stacks) and the allocator's free lists and
// fragmentation (the RSS figures of run.sh show those). OpenSSL's blocks are also counted
// on their own, through CRYPTO_set_mem_functions, and printed as OpenSSL's part of the peak.
//
//   smtperr_send_bench --port P [--host 127.0.0.1] [--messages 1000] [--connections 1]
//                      [--size 1024]

#include <smtperr/asio/submit.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <openssl/crypto.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <malloc.h>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

// glibc's own allocator, which the definitions below forward to (the names glibc exports
// for exactly this, see "Replacing malloc" in its manual).
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
}

namespace {

// Atomic: Asio resolves the host name on a thread of its own, which allocates too.
std::atomic<std::int64_t> heap_live{0};
std::atomic<std::int64_t> heap_peak{0};
std::atomic<std::int64_t> openssl_live{0};     // blocks OpenSSL asked for, still live
std::atomic<std::int64_t> openssl_at_peak{0};  // openssl_live when heap_peak was reached
// Set while OpenSSL's allocation hooks call malloc, so malloc knows whose block it is.
thread_local bool in_openssl = false;

std::size_t page_size() noexcept {
    return static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

std::int64_t usable(void* p) noexcept {
    return p == nullptr ? 0 : static_cast<std::int64_t>(malloc_usable_size(p));
}

void* counted(void* p) noexcept {
    if (p == nullptr) {
        return p;
    }
    const std::int64_t n = usable(p);
    if (in_openssl) {
        openssl_live.fetch_add(n, std::memory_order_relaxed);
    }
    const std::int64_t live = heap_live.fetch_add(n, std::memory_order_relaxed) + n;
    std::int64_t peak = heap_peak.load(std::memory_order_relaxed);
    while (live > peak && !heap_peak.compare_exchange_weak(peak, live)) {
    }
    if (live > peak) {
        openssl_at_peak.store(openssl_live.load(std::memory_order_relaxed),
                              std::memory_order_relaxed);
    }
    return p;
}

void uncount(void* p) noexcept {
    const std::int64_t n = usable(p);
    if (in_openssl) {
        openssl_live.fetch_sub(n, std::memory_order_relaxed);
    }
    heap_live.fetch_sub(n, std::memory_order_relaxed);
}

// OpenSSL's allocation hooks: the C allocator below counts the block; these mark it as
// OpenSSL's.
void* openssl_malloc(std::size_t n, const char*, int) {
    in_openssl = true;
    void* p = std::malloc(n);
    in_openssl = false;
    return p;
}
void* openssl_realloc(void* p, std::size_t n, const char*, int) {
    in_openssl = true;
    void* q = std::realloc(p, n);
    in_openssl = false;
    return q;
}
void openssl_free(void* p, const char*, int) {
    in_openssl = true;
    std::free(p);
    in_openssl = false;
}

}  // namespace

extern "C" {

void* malloc(std::size_t n) {
    return counted(__libc_malloc(n));
}
void* calloc(std::size_t n, std::size_t size) {
    return counted(__libc_calloc(n, size));
}
void* realloc(void* p, std::size_t n) {
    if (p == nullptr) {
        return malloc(n);
    }
    const std::int64_t old = usable(p);
    void* q = __libc_realloc(p, n);
    if (q == nullptr && n != 0) {
        return nullptr;  // p is untouched
    }
    // The old block is gone (moved, resized, or freed by realloc(p, 0)).
    if (in_openssl) {
        openssl_live.fetch_sub(old, std::memory_order_relaxed);
    }
    heap_live.fetch_sub(old, std::memory_order_relaxed);
    return counted(q);
}
void* reallocarray(void* p, std::size_t n, std::size_t size) {
    std::size_t total = 0;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return nullptr;
    }
    return realloc(p, total);
}
void free(void* p) {
    if (p != nullptr) {
        uncount(p);
        __libc_free(p);
    }
}
void* memalign(std::size_t alignment, std::size_t n) {
    return counted(__libc_memalign(alignment, n));
}
void* aligned_alloc(std::size_t alignment, std::size_t n) {
    return counted(__libc_memalign(alignment, n));
}
int posix_memalign(void** out, std::size_t alignment, std::size_t n) {
    if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) {
        return EINVAL;
    }
    void* p = counted(__libc_memalign(alignment, n));
    if (p == nullptr) {
        return ENOMEM;
    }
    *out = p;
    return 0;
}
void* valloc(std::size_t n) {
    return counted(__libc_memalign(page_size(), n));
}
void* pvalloc(std::size_t n) {
    const std::size_t page = page_size();
    return counted(__libc_memalign(page, (n + page - 1) / page * page));
}

}  // extern "C"

namespace {

namespace net = boost::asio;
namespace sa = smtperr::asio;

struct args {
    std::string host = "127.0.0.1";
    unsigned port = 0;
    std::size_t messages = 1000;
    std::size_t connections = 1;
    std::size_t size = 1024;
};

bool parse(int argc, char** argv, args& a) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view k = argv[i];
        const char* v = argv[i + 1];
        if (k == "--host") {
            a.host = v;
        } else if (k == "--port") {
            a.port = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
        } else if (k == "--messages") {
            a.messages = std::strtoul(v, nullptr, 10);
        } else if (k == "--connections") {
            a.connections = std::strtoul(v, nullptr, 10);
        } else if (k == "--size") {
            a.size = std::strtoul(v, nullptr, 10);
        } else {
            return false;
        }
    }
    return argc % 2 == 1 && a.port > 0 && a.port < 65536 && a.messages > 0 && a.connections > 0;
}

// A header and `size` octets of body in 64-octet lines (what smtp-source -l sends, roughly).
std::string make_body(std::size_t size) {
    std::string b = "From: <bench@client.test>\r\nTo: <sink@sink.test>\r\nSubject: bench\r\n\r\n";
    std::size_t n = 0;
    while (n < size) {
        const std::size_t line = std::min<std::size_t>(62, size - n);
        b.append(line, 'x');
        b += "\r\n";
        n += line + 2;
    }
    return b;
}

}  // namespace

int main(int argc, char** argv) {
    args a;
    if (!parse(argc, argv, a)) {
        std::fprintf(stderr,
                     "usage: %s --port P [--host H] [--messages M] [--connections C] "
                     "[--size OCTETS]\n",
                     argv[0]);
        return 1;
    }
    // Before OpenSSL's first allocation, or it keeps its default hooks (and says 0).
    if (CRYPTO_set_mem_functions(openssl_malloc, openssl_realloc, openssl_free) == 0) {
        std::fprintf(stderr, "CRYPTO_set_mem_functions refused: OpenSSL allocated already\n");
        return 1;
    }
    net::io_context ioc(1);
    net::ssl::context ssl(net::ssl::context::tls_client);
    sa::submit_options o;
    o.host = a.host;
    o.port = static_cast<std::uint16_t>(a.port);
    o.tls = sa::tls_mode::none;
    o.client_name = "bench.client.test";

    const std::string body = make_body(a.size);
    std::vector<std::vector<sa::message>> batches(a.connections);
    for (auto& b : batches) {
        b.assign(a.messages, sa::message{"bench@client.test", {"sink@sink.test"}, body});
    }
    const std::int64_t heap_base = heap_live.load();
    const std::int64_t openssl_base = openssl_live.load();
    heap_peak = heap_base;
    openssl_at_peak = openssl_base;

    std::size_t sent = 0;
    std::size_t not_sent = 0;
    std::size_t done = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (auto& b : batches) {
        sa::async_submit_batch(
            ioc, ssl, o, std::move(b),
            [&](boost::system::error_code ec, std::vector<smtperr::send_report> reports) {
                ++done;
                if (ec || reports.size() != a.messages) {
                    not_sent += a.messages;
                    return;
                }
                for (const auto& r : reports) {
                    (r.outcome == smtperr::outcome::sent ? sent : not_sent) += 1;
                }
            });
    }
    ioc.run();
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const std::size_t total = a.messages * a.connections;
    const long long peak = heap_peak.load() - heap_base;
    std::printf(
        "client=smtperr connections=%zu messages=%zu sent=%zu not_sent=%zu seconds=%.4f "
        "msgs_per_s=%.1f peak_heap_bytes=%lld peak_heap_per_connection=%lld "
        "peak_heap_openssl_bytes=%lld max_rss_kb=%ld\n",
        a.connections, total, sent, not_sent, secs, static_cast<double>(total) / secs, peak,
        peak / static_cast<long long>(a.connections),
        static_cast<long long>(openssl_at_peak.load() - openssl_base), ru.ru_maxrss);
    return done == a.connections && sent == total ? 0 : 2;
}
