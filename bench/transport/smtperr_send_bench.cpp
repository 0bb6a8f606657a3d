// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// The transport benchmark's client: sends M messages over each of C connections with
// async_submit_batch (one io_context, one thread), checks that every report says "sent",
// and prints one line of key=value figures: elapsed time, messages per second, the peak
// heap the sessions used (counted by a replaced global operator new, measured from the
// moment the messages exist) and the process's maximum resident set size.
//
//   smtperr_send_bench --port P [--host 127.0.0.1] [--messages 1000] [--connections 1]
//                      [--size 1024]

#include <smtperr/asio/submit.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <malloc.h>
#include <new>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <vector>

// GCC cannot see that these replacements pair malloc with free consistently.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {

// One thread: plain counters. Usable sizes, so what is freed matches what was counted.
std::size_t heap_live = 0;
std::size_t heap_peak = 0;

void* counted(void* p) {
    if (p == nullptr) {
        throw std::bad_alloc();
    }
    heap_live += malloc_usable_size(p);
    if (heap_live > heap_peak) {
        heap_peak = heap_live;
    }
    return p;
}

void release(void* p) noexcept {
    if (p != nullptr) {
        heap_live -= malloc_usable_size(p);
        std::free(p);
    }
}

}  // namespace

void* operator new(std::size_t n) {
    return counted(std::malloc(n == 0 ? 1 : n));
}
void* operator new[](std::size_t n) {
    return counted(std::malloc(n == 0 ? 1 : n));
}
void* operator new(std::size_t n, std::align_val_t a) {
    const auto al = static_cast<std::size_t>(a);
    return counted(std::aligned_alloc(al, (n + al - 1) / al * al));
}
void* operator new[](std::size_t n, std::align_val_t a) {
    return operator new(n, a);
}
void operator delete(void* p) noexcept {
    release(p);
}
void operator delete[](void* p) noexcept {
    release(p);
}
void operator delete(void* p, std::size_t) noexcept {
    release(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    release(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
    release(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
    release(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
    release(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
    release(p);
}

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
    const std::size_t heap_base = heap_live;
    heap_peak = heap_live;

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
    std::printf(
        "client=smtperr connections=%zu messages=%zu sent=%zu not_sent=%zu seconds=%.4f "
        "msgs_per_s=%.1f peak_heap_bytes=%zu peak_heap_per_connection=%zu max_rss_kb=%ld\n",
        a.connections, total, sent, not_sent, secs, static_cast<double>(total) / secs,
        heap_peak - heap_base, (heap_peak - heap_base) / a.connections, ru.ru_maxrss);
    return done == a.connections && sent == total ? 0 : 2;
}
