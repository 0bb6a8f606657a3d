// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// Parser throughput and parse + classify rate on the mixed corpus, with heap allocations
// per reply counted by a replaced global operator new.

#include <smtperr/classify/classify.hpp>
#include <smtperr/reply/parser.hpp>

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

#include "corpus.hpp"

// GCC cannot see that these replacements pair malloc with free consistently.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {

std::atomic<std::uint64_t> allocations{0};

}  // namespace

void* operator new(std::size_t n) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n == 0 ? 1 : n))
        return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}

namespace {

using namespace smtperr;

const std::vector<bench::corpus_entry>& corpus() {
    static const auto c = bench::load_corpus(SMTPERR_SISIMAI_TSV);
    return c;
}

// All replies back to back, as one stream, multi-line ones repeated to weight them.
const std::string& stream() {
    static const std::string s = [] {
        std::string out;
        for (const auto& e : corpus())
            out += e.wire;
        return out;
    }();
    return s;
}

void BM_parse_stream(benchmark::State& state) {
    const std::string& s = stream();
    const auto chunk = static_cast<std::size_t>(state.range(0));
    reply_parser p;
    std::size_t replies = 0;
    for (auto _ : state) {
        std::string_view rest = s;
        while (!rest.empty()) {
            std::string_view piece = rest.substr(0, chunk);
            rest.remove_prefix(piece.size());
            while (!piece.empty()) {
                std::error_code ec;
                const auto n = p.feed(piece, ec);
                piece.remove_prefix(n);
                if (p.has_reply()) {
                    benchmark::DoNotOptimize(p.get().code);
                    ++replies;
                }
            }
        }
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(s.size()));
    state.counters["replies"] = static_cast<double>(replies);
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
