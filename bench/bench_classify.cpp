// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// Parser throughput on a stream of multi-line replies, and parse + classify rate on the
// mixed corpus, with heap allocations per reply counted at the C allocator (malloc and
// its relatives, which operator new calls).
// bench/classify_ab.sh compares two builds of this program in alternating runs.

#include <smtperr/classify/classify.hpp>
#include <smtperr/reply/parser.hpp>

#include <benchmark/benchmark.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <utility>
#include <vector>

#include "corpus.hpp"

namespace {

std::atomic<std::uint64_t> allocations{0};

void* counted(void* p) noexcept {
    allocations.fetch_add(1, std::memory_order_relaxed);
    return p;
}

}  // namespace

// Every heap block is counted where the C library hands it out: operator new comes here
// too, and so would anything that calls malloc directly.
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);

void* malloc(std::size_t n) {
    return counted(__libc_malloc(n));
}
void* calloc(std::size_t n, std::size_t size) {
    return counted(__libc_calloc(n, size));
}
void* realloc(void* p, std::size_t n) {
    return counted(__libc_realloc(p, n));
}
void* memalign(std::size_t alignment, std::size_t n) {
    return counted(__libc_memalign(alignment, n));
}
void* aligned_alloc(std::size_t alignment, std::size_t n) {
    return counted(__libc_memalign(alignment, n));
}
int posix_memalign(void** out, std::size_t alignment, std::size_t n) {
    void* p = __libc_memalign(alignment, n);
    if (p == nullptr) {
        return ENOMEM;
    }
    *out = counted(p);
    return 0;
}
}

namespace {

using namespace smtperr;

const std::vector<bench::corpus_entry>& corpus() {
    static const auto c = bench::load_corpus(SMTPERR_SISIMAI_TSV);
    return c;
}

// The parser's input: multi-line replies back to back, as one stream (corpus.hpp:
// EHLO capability replies, providers' multi-line replies, and the Sisimai texts wrapped at
// about 76 octets into "550-…" continuation lines as servers wrap long texts; a short text
// stays one line). The counters say how much of it is multi-line.
struct parse_stream_input {
    std::string bytes;
    std::size_t replies = 0;
    std::size_t lines = 0;
    std::size_t multiline_replies = 0;
    std::size_t multiline_bytes = 0;
};

const parse_stream_input& stream() {
    static const parse_stream_input s = [] {
        parse_stream_input in;
        for (const auto& r : bench::multiline_replies(SMTPERR_SISIMAI_TSV)) {
            std::size_t lines = 0;
            for (std::size_t at = r.find('\n'); at != std::string::npos;
                 at = r.find('\n', at + 1)) {
                ++lines;
            }
            in.bytes += r;
            ++in.replies;
            in.lines += lines;
            if (lines > 1) {
                ++in.multiline_replies;
                in.multiline_bytes += r.size();
            }
        }
        return in;
    }();
    return s;
}

void BM_parse_stream(benchmark::State& state) {
    const parse_stream_input& in = stream();
    const std::string& s = in.bytes;
    const auto chunk = static_cast<std::size_t>(state.range(0));
    reply_parser p;
    std::size_t replies = 0;
    std::size_t errors = 0;
    for (auto _ : state) {
        std::string_view rest = s;
        while (!rest.empty()) {
            std::string_view piece = rest.substr(0, chunk);
            rest.remove_prefix(piece.size());
            while (!piece.empty()) {
                std::error_code ec;
                const auto n = p.feed(piece, ec);
                piece.remove_prefix(n);
                if (ec) {
                    ++errors;
                }
                if (p.has_reply()) {
                    benchmark::DoNotOptimize(p.get().code);
                    ++replies;
                }
            }
        }
    }
    // Every reply of the stream must come out whole, else the figure is not the parser's.
    if (errors != 0 || replies != in.replies * static_cast<std::size_t>(state.iterations())) {
        state.SkipWithError("the stream did not parse into its replies");
        return;
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(s.size()));
    state.counters["replies"] = static_cast<double>(in.replies);
    state.counters["lines"] = static_cast<double>(in.lines);
    state.counters["multiline_replies"] = static_cast<double>(in.multiline_replies);
    state.counters["multiline_bytes_share"] =
        static_cast<double>(in.multiline_bytes) / static_cast<double>(s.size());
    state.counters["stream_bytes"] = static_cast<double>(s.size());
}
BENCHMARK(BM_parse_stream)->Arg(4096)->Arg(65536);

// Parse + classify every reply of `c` per iteration; counts heap allocations per reply.
void run_parse_classify(benchmark::State& state, const std::vector<bench::corpus_entry>& c) {
    reply_parser p;
    // Warm up: the parser's buffer and the classifier's tables are built once.
    for (const auto& e : c) {
        std::error_code ec;
        p.feed(e.wire, ec);
        if (p.has_reply())
            benchmark::DoNotOptimize(classify(p.get(), {e.ph, e.host, {}}));
    }
    const auto before = allocations.load();
    std::uint64_t n = 0;
    for (auto _ : state) {
        for (const auto& e : c) {
            std::error_code ec;
            p.feed(e.wire, ec);
            if (p.has_reply()) {
                const diagnosis d = classify(p.get(), {e.ph, e.host, {}});
                benchmark::DoNotOptimize(d.condition);
            }
            ++n;
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(n));
    state.counters["allocs_per_reply"] =
        static_cast<double>(allocations.load() - before) / static_cast<double>(n);
    state.counters["corpus"] = static_cast<double>(c.size());
}

// The whole mix: seed codes, provider replies and the Sisimai texts.
void BM_parse_classify(benchmark::State& state) {
    run_parse_classify(state, corpus());
}
BENCHMARK(BM_parse_classify);

// Only what a submission client typically sees: the seed codes and provider replies.
void BM_parse_classify_submission(benchmark::State& state) {
    static const auto c = [] {
        auto all = corpus();
        all.resize(bench::submission_entries);
        return all;
    }();
    run_parse_classify(state, c);
}
BENCHMARK(BM_parse_classify_submission);

// The two halves of BM_parse_classify on the same corpus, to show where the time goes: the
// parser alone (feed and get), and the classifier alone on replies parsed beforehand.
void BM_parse_only(benchmark::State& state) {
    reply_parser p;
    std::uint64_t n = 0;
    for (auto _ : state) {
        for (const auto& e : corpus()) {
            std::error_code ec;
            p.feed(e.wire, ec);
            if (p.has_reply()) {
                benchmark::DoNotOptimize(p.get().status);
            }
            ++n;
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(n));
}
BENCHMARK(BM_parse_only);

void BM_classify_only(benchmark::State& state) {
    static const auto parsed = [] {
        std::vector<std::pair<reply, const bench::corpus_entry*>> out;
        for (const auto& e : corpus()) {
            if (auto r = parse_reply(e.wire)) {
                out.emplace_back(std::move(r).value(), &e);
            }
        }
        return out;
    }();
    std::uint64_t n = 0;
    for (auto _ : state) {
        for (const auto& [r, e] : parsed) {
            const diagnosis d = classify(r.view(), {e->ph, e->host, {}});
            benchmark::DoNotOptimize(d.condition);
            ++n;
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(n));
}
BENCHMARK(BM_classify_only);

}  // namespace

BENCHMARK_MAIN();
