// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include "classify/matcher.hpp"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
// AVX2 and AVX-512 variants, chosen at run time, where the compiler can target them per
// function.
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define SMTPERR_MATCHER_SIMD 1
#include <immintrin.h>
#else
#define SMTPERR_MATCHER_SIMD 0
#endif

#include "classify/bits.hpp"

namespace smtperr::detail {

namespace {

constexpr unsigned char fold_octet(unsigned char c) noexcept {
    if (c >= 'A' && c <= 'Z') {
        return static_cast<unsigned char>(c - 'A' + 'a');
    }
    if (c >= '\t' && c <= '\r') {  // tab, line feed, vertical tab, form feed, return
        return ' ';
    }
    return c;
}

constexpr bool folded_alnum(unsigned char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// A folded octet's class for the table of patterns' first two octets: each letter its own
// (1-26), digits one (27), the rest another (0).
constexpr unsigned octet_class(unsigned char c) noexcept {
    return c >= 'a' && c <= 'z' ? 1u + (c - 'a') : c >= '0' && c <= '9' ? 27u : 0u;
}

void set_bit(std::vector<std::uint64_t>& bits, std::uint32_t i) {
    bits[i / 64] |= std::uint64_t{1} << (i % 64);
}

std::uint64_t bit(const std::uint64_t* bits, std::uint32_t i) noexcept {
    return (bits[i / 64] >> (i % 64)) & 1u;
}

std::uint64_t load64(const unsigned char* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// `src` if it has 64 octets (`count`), else its octets copied to `part` with NULs after them.
const unsigned char* whole_block(const unsigned char* src, std::size_t count,
                                 unsigned char* part) noexcept {
    if (count >= 64) {
        return src;
    }
    std::memset(part, 0, 64);
    std::memcpy(part, src, count);
    return part;
}

// The fold functions: 64 octets to `dst`, folded as fold_octet() does, `count` (at most 64)
// from `src` and then NULs. Each returns which of the folded octets are letters or digits,
// sets in `punct` which are octets a punctuation-led pattern starts with, and in
// `may_start` which may start a pattern by what follows them (all, but for AVX-512 VBMI).
//
// The portable one, sixteen octets at a time with SSE2 where available.
std::uint64_t fold64_generic(unsigned char* dst, const unsigned char* src, std::size_t count,
                             const matcher_fold_tables& tables, std::uint64_t& punct,
                             std::uint64_t& may_start) noexcept {
    alignas(16) unsigned char part[64];
    src = whole_block(src, count, part);
    may_start = ~std::uint64_t{0};
    std::uint64_t alnum = 0;
    punct = 0;
#if defined(__SSE2__)
    for (std::size_t q = 0; q < 64; q += 16) {
        // Signed compares: octets from 0x80 on are negative, so only ASCII falls in a range.
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + q));
        const __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                                            _mm_cmpgt_epi8(_mm_set1_epi8('Z' + 1), v));
        const __m128i space = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('\t' - 1)),
                                            _mm_cmpgt_epi8(_mm_set1_epi8('\r' + 1), v));
        const __m128i lower = _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
        const __m128i folded =
            _mm_or_si128(_mm_andnot_si128(space, lower), _mm_and_si128(space, _mm_set1_epi8(' ')));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + q), folded);
        // In range ⇔ the saturating difference to the range's top is zero.
        const __m128i zero = _mm_setzero_si128();
        const __m128i is_letter = _mm_cmpeq_epi8(
            _mm_subs_epu8(_mm_sub_epi8(folded, _mm_set1_epi8('a')), _mm_set1_epi8(25)), zero);
        const __m128i is_digit = _mm_cmpeq_epi8(
            _mm_subs_epu8(_mm_sub_epi8(folded, _mm_set1_epi8('0')), _mm_set1_epi8(9)), zero);
        alnum |= std::uint64_t{static_cast<std::uint16_t>(
                     _mm_movemask_epi8(_mm_or_si128(is_letter, is_digit)))}
                 << q;
        for (const char pc : tables.puncts) {
            punct |= std::uint64_t{static_cast<std::uint16_t>(
                         _mm_movemask_epi8(_mm_cmpeq_epi8(folded, _mm_set1_epi8(pc))))}
                     << q;
        }
    }
#else
    for (std::size_t k = 0; k < 64; ++k) {
        dst[k] = fold_octet(src[k]);
        alnum |= std::uint64_t{folded_alnum(dst[k])} << k;
        for (const char pc : tables.puncts) {
            punct |= std::uint64_t{dst[k] == static_cast<unsigned char>(pc)} << k;
        }
    }
#endif
    return alnum;
}

#if SMTPERR_MATCHER_SIMD
// The octets of `x` outside [lo, lo + n): min(x - lo, n) == n, unsigned.
__attribute__((target("avx2"))) inline __m256i outside(__m256i x, char lo, char n) noexcept {
    const __m256i d = _mm256_sub_epi8(x, _mm256_set1_epi8(lo));
    return _mm256_cmpeq_epi8(_mm256_min_epu8(d, _mm256_set1_epi8(n)), _mm256_set1_epi8(n));
}

// The same with AVX2, 32 octets at a time; chosen at run time where the processor has it.
__attribute__((target("avx2"))) std::uint64_t fold64_avx2(
    unsigned char* dst, const unsigned char* src, std::size_t count,
    const matcher_fold_tables& tables, std::uint64_t& punct, std::uint64_t& may_start) noexcept {
    alignas(32) unsigned char part[64];
    src = whole_block(src, count, part);
    may_start = ~std::uint64_t{0};
    std::uint64_t other = 0;  // Neither letter nor digit.
    punct = 0;
    for (std::size_t q = 0; q < 64; q += 32) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + q));
        const __m256i lower =
            _mm256_blendv_epi8(_mm256_or_si256(v, _mm256_set1_epi8(0x20)), v, outside(v, 'A', 26));
        const __m256i folded =
            _mm256_blendv_epi8(_mm256_set1_epi8(' '), lower, outside(v, '\t', 5));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + q), folded);
        other |= std::uint64_t{static_cast<std::uint32_t>(_mm256_movemask_epi8(
                     _mm256_and_si256(outside(folded, 'a', 26), outside(folded, '0', 10))))}
                 << q;
        for (const char pc : tables.puncts) {
            punct |= std::uint64_t{static_cast<std::uint32_t>(
                         _mm256_movemask_epi8(_mm256_cmpeq_epi8(folded, _mm256_set1_epi8(pc))))}
                     << q;
        }
    }
    return ~other;
}

// The octets of `x` in [lo, lo + n), as a mask.
__attribute__((target("avx512f,avx512bw"))) inline __mmask64 inside(__m512i x, char lo,
                                                                    char n) noexcept {
    return _mm512_cmplt_epu8_mask(_mm512_sub_epi8(x, _mm512_set1_epi8(lo)), _mm512_set1_epi8(n));
}

// The octets of the 128-octet table `t` at the positions `x` (modulo 128).
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) inline __m512i lookup128(
    const unsigned char* t, __m512i x) noexcept {
    // Unaligned loads: the tables live in the matcher, wherever its owner put it.
    return _mm512_permutex2var_epi8(_mm512_loadu_si512(t), x, _mm512_loadu_si512(t + 64));
}

// And with AVX-512 (BW and VBMI), the 64 octets at once into mask registers, and which
// octets can start a pattern by the octet after them: the
// pair's classes index the 1024-bit `pairs` table (octets from 0x80 on are taken modulo 128,
// which only lets more through). The last octet's successor is in the next block: it passes.
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) std::uint64_t fold64_avx512(
    unsigned char* dst, const unsigned char* src, std::size_t count,
    const matcher_fold_tables& tables, std::uint64_t& punct, std::uint64_t& may_start) noexcept {
    // A masked load reads only the `count` octets (no fault past them) and zeroes the rest.
    const __mmask64 valid = count >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << count) - 1;
    const __m512i v = _mm512_maskz_loadu_epi8(valid, src);
    const __m512i lower = _mm512_mask_add_epi8(v, inside(v, 'A', 26), v, _mm512_set1_epi8(0x20));
    const __m512i folded = _mm512_mask_mov_epi8(lower, inside(v, '\t', 5), _mm512_set1_epi8(' '));
    _mm512_storeu_si512(dst, folded);
    __mmask64 pm = 0;
    for (const char pc : tables.puncts) {
        pm |= _mm512_cmpeq_epi8_mask(folded, _mm512_set1_epi8(pc));
    }
    punct = pm;

    alignas(64) static constexpr unsigned char next[64] = {
        1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
        23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44,
        45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 63};
    // (permutex2var, not permutexvar: GCC 12's permutexvar warns of its own undefined value.)
    const __m512i second = _mm512_permutex2var_epi8(folded, _mm512_load_si512(next), folded);
    const __m512i index =
        _mm512_or_si512(lookup128(tables.class_high, folded), lookup128(tables.class_low, second));
    may_start =
        _mm512_test_epi8_mask(lookup128(tables.pairs, index), lookup128(tables.class_bit, second)) |
        std::uint64_t{1} << 63;
    return inside(folded, 'a', 26) | inside(folded, '0', 10);
}
#endif

void set_bits(const std::uint16_t* ids, std::size_t count, std::uint64_t* bits) noexcept {
    for (std::size_t i = 0; i < count; ++i) {
        bits[ids[i] / 64] |= std::uint64_t{1} << (ids[i] % 64);
    }
}

}  // namespace

std::uint16_t multi_matcher::add(std::string_view pattern) {
    std::string p;
    p.reserve(pattern.size());
    for (char c : pattern) {
        p.push_back(static_cast<char>(fold_octet(static_cast<unsigned char>(c))));
    }
    if (p.size() > max_pattern || offsets_.size() >= max_patterns) {
        unusable_ = true;  // build() fails; the id would not be one.
        return 0;
    }
    const auto [known, added] = ids_.try_emplace(p, static_cast<std::uint16_t>(offsets_.size()));
    if (!added) {
        return known->second;
    }
    offsets_.push_back(static_cast<std::uint32_t>(folded_.size()));
    lengths_.push_back(static_cast<std::uint16_t>(p.size()));
    folded_ += p;
    return static_cast<std::uint16_t>(offsets_.size() - 1);
}

bool multi_matcher::supports(simd level) noexcept {
#if SMTPERR_MATCHER_SIMD
    __builtin_cpu_init();
    switch (level) {
        case simd::avx512:
            return __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi");
        case simd::avx2:
            return __builtin_cpu_supports("avx2") != 0;
        case simd::portable:
            return true;
    }
    return false;
#else
    return level == simd::portable;
#endif
}

bool multi_matcher::build(simd limit) {
    built_ = false;
    if (unusable_) {
        return false;
    }
    // The patterns back to back, without the padding of an earlier build().
    folded_.resize(offsets_.empty() ? 0 : offsets_.back() + lengths_.back());
    fold_ = fold64_generic;
#if SMTPERR_MATCHER_SIMD
    if (limit >= simd::avx512 && supports(simd::avx512)) {
        fold_ = fold64_avx512;
    } else if (limit >= simd::avx2 && supports(simd::avx2)) {
        fold_ = fold64_avx2;
    }
#endif
    fold_tables_ = matcher_fold_tables{};
    for (unsigned c = 0; c < 128; ++c) {
        const unsigned cls = octet_class(static_cast<unsigned char>(c));
        fold_tables_.class_high[c] = static_cast<unsigned char>(cls << 2);
        fold_tables_.class_low[c] = static_cast<unsigned char>(cls >> 3);
        fold_tables_.class_bit[c] = static_cast<unsigned char>(1u << (cls & 7));
    }
    long_filter_.assign((std::size_t{1} << long_filter_bits) / 64, 0);
    short_filter_.assign((std::size_t{1} << short_filter_bits) / 64, 0);
    long_.clear();
    for (std::size_t id = 0; id < offsets_.size(); ++id) {
        const std::size_t len = lengths_[id];
        if (len < 3 || len > max_pattern) {
            return false;
        }
        const auto* p = reinterpret_cast<const unsigned char*>(folded_.data() + offsets_[id]);
        if (std::memchr(p, 0, len) != nullptr) {
            return false;  // NULs pad the text and mark empty table entries.
        }
        if (!folded_alnum(p[0]) &&
            fold_tables_.puncts.find(static_cast<char>(p[0])) == std::string::npos) {
            fold_tables_.puncts.push_back(static_cast<char>(p[0]));
        }
        const unsigned pair = octet_class(p[0] & 0x7f) << 5 | octet_class(p[1] & 0x7f);
        fold_tables_.pairs[pair / 8] =
            static_cast<unsigned char>(fold_tables_.pairs[pair / 8] | 1u << (pair % 8));
        unsigned char head[8] = {};
        std::memcpy(head, p, std::min<std::size_t>(len, 8));
        if (len >= 8) {
            set_bit(long_filter_, long_hash(load64(head)));
            // Octets 8 to 15, as many as there are, and which of them count.
            unsigned char second[8] = {};
            std::memcpy(second, p + 8, std::min<std::size_t>(len - 8, 8));
            const std::uint64_t second_mask =
                len >= 16 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * (len - 8))) - 1;
            long_.push_back({load64(head), load64(second), second_mask, offsets_[id],
                             static_cast<std::uint16_t>(id), static_cast<std::uint16_t>(len)});
        } else {
            set_bit(short_filter_, short_hash(load64(head)));
        }
    }
    // Long patterns grouped by their first eight octets.
    std::stable_sort(long_.begin(), long_.end(),
                     [](const long_entry& x, const long_entry& y) { return x.head < y.head; });
    if (long_.size() >= 0xffff) {
        return false;  // A group's range would not fit in 16 bits.
    }
    // What no table size can hold: a group of long patterns over max_group, more than
    // short_ways short ones with the same first three octets (they share a bucket).
    std::vector<std::uint32_t> short_keys;
    for (std::size_t id = 0; id < offsets_.size(); ++id) {
        if (lengths_[id] < 8) {
            const auto* p = reinterpret_cast<const unsigned char*>(folded_.data() + offsets_[id]);
            short_keys.push_back(std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 |
                                 std::uint32_t{p[2]} << 16);
        }
    }
    std::sort(short_keys.begin(), short_keys.end());
    for (std::size_t i = 0; i + short_ways < short_keys.size(); ++i) {
        if (short_keys[i] == short_keys[i + short_ways]) {
            return false;
        }
    }
    for (std::size_t i = 0; i + max_group < long_.size(); ++i) {
        if (long_[i].head == long_[i + max_group].head) {
            return false;
        }
    }
    // Everything else fits once the buckets are many enough: a fixed sequence of odd
    // multipliers is tried at each size (so the tables come out the same on every run), and
    // the tables double when none leaves every bucket within its ways.
    for (short_bits_ = 5, head_bits_ = 8; head_bits_ <= 16; ++short_bits_, ++head_bits_) {
        std::uint64_t multiplier = 0x9E3779B97F4A7C15u;
        for (int attempt = 0; attempt < 64; ++attempt, multiplier += 0x5851F42D4C957F2Eu) {
            if (place(multiplier | 1u)) {
                folded_.append(8, '\0');  // So that a pattern's last eight octets load as one word.
                built_ = true;
                return true;
            }
        }
    }
    return false;
}

bool multi_matcher::place(std::uint64_t multiplier) {
    multiplier_ = multiplier;
    short_.assign(std::size_t{1} << short_bits_, short_bucket{});
    heads_.assign(std::size_t{1} << head_bits_, head_bucket{});
    for (std::size_t id = 0; id < offsets_.size(); ++id) {
        const std::size_t len = lengths_[id];
        if (len >= 8) {
            continue;
        }
        unsigned char octets[8] = {};
        std::memcpy(octets, folded_.data() + offsets_[id], len);
        const std::uint64_t key = load64(octets);
        auto& b = short_[bucket(key & 0xffffff, short_bits_)];
        std::size_t w = 0;
        while (w < short_ways && b.mask[w] != 0) {
            ++w;
        }
        if (w == short_ways) {
            return false;
        }
        b.key[w] = key;
        b.mask[w] = (std::uint64_t{1} << (8 * len)) - 1;
        b.id[w] = static_cast<std::uint16_t>(id);
    }
    for (std::size_t i = 0; i < long_.size();) {
        std::size_t j = i;
        while (j < long_.size() && long_[j].head == long_[i].head) {
            ++j;
        }
        auto& b = heads_[bucket(long_[i].head, head_bits_)];
        std::size_t w = 0;
        while (w < head_ways && b.head[w] != 0) {
            ++w;
        }
        if (w == head_ways) {
            return false;
        }
        b.head[w] = long_[i].head;
        b.range[w] = static_cast<std::uint32_t>(i) | static_cast<std::uint32_t>(j) << 16;
        i = j;
    }
    return true;
}

// The check_*() functions append to `hits` the ids of the patterns that start at `p`
// (folded text, `left` octets of it and then at least eight NULs: a pattern has no NUL) and
// return the new count. The ids are appended, not set in the caller's bit set, because
// read-modify-writes of the same few words would wait on one another.

// Patterns under eight octets, by their first three. An empty entry's mask is 0 and its key
// 1, which no masked text equals.
std::size_t multi_matcher::check_short(const unsigned char* p, std::uint16_t* hits,
                                       std::size_t count) const noexcept {
    const std::uint64_t head = load64(p);
    const short_bucket& b = short_[bucket(head & 0xffffff, short_bits_)];
    for (std::size_t w = 0; w < short_ways; ++w) {
        hits[count] = b.id[w];
        count += (head & b.mask[w]) == b.key[w];
    }
    return count;
}

// Patterns of eight octets or more, by their first eight, then the rest compared.
std::size_t multi_matcher::check_long(const unsigned char* p, std::size_t left, std::uint16_t* hits,
                                      std::size_t count) const noexcept {
    const std::uint64_t head = load64(p);
    const head_bucket& hb = heads_[bucket(head, head_bits_)];
    std::uint32_t range = 0;
    for (std::size_t w = 0; w < head_ways; ++w) {
        range |= hb.head[w] == head ? hb.range[w] : 0;
    }
    const std::uint64_t second = load64(p + 8);
    const char* patterns = folded_.data();
    for (std::uint32_t i = range & 0xffff; i < range >> 16; ++i) {
        const long_entry& e = long_[i];
        // Octets 8 to 15 from the entry itself; the rest, for the patterns longer than 16,
        // eight at a time (the last word overlaps the one before it).
        bool same = e.length <= left && (second & e.second_mask) == e.second;
        const auto* pat = reinterpret_cast<const unsigned char*>(patterns + e.offset);
        for (std::size_t k = 16; k < e.length && same; k += 8) {
            const std::size_t at = std::min<std::size_t>(k, e.length - 8u);
            same = load64(p + at) == load64(pat + at);
        }
        hits[count] = e.id;
        count += same;
    }
    return count;
}

void multi_matcher::scan(std::string_view text, std::uint64_t* found) const noexcept {
    scan(
        text,
        [](void* bits, const std::uint16_t* ids, std::size_t count) noexcept {
            set_bits(ids, count, static_cast<std::uint64_t*>(bits));
        },
        found);
}

void multi_matcher::scan(std::string_view text, sink to, void* context) const noexcept {
    const std::size_t n = text.size();
    if (n < 3 || !built_ || to == nullptr) {
        return;
    }
    const auto* t = reinterpret_cast<const unsigned char*>(text.data());
    // A chunk of token starts, folded with the longest pattern's worth of octets after it,
    // then NULs (which start no token and equal no pattern octet), 64 octets to a block.
    constexpr std::size_t span = chunk + max_pattern + 8;
    constexpr std::size_t blocks = (span + 63) / 64 + 1;
    alignas(64) unsigned char buf[blocks * 64];
    std::uint64_t starts[blocks];
    std::uint16_t long_starts[chunk];
    std::uint16_t short_starts[chunk];
    std::uint16_t hits[hits_capacity];
    std::uint64_t prev_alnum = 0;  // The octet before the chunk is a letter or digit.
    for (std::size_t c = 0; c + 2 < n; c += chunk) {
        const std::size_t len = std::min(n - c, span);
        // Token starts where three octets or more remain.
        const std::size_t starts_end = std::min(chunk, n - c - 2);
        std::size_t f = 0;
        std::uint64_t carry = prev_alnum;
        for (std::size_t k = 0; f < len; ++k, f += 64) {
            std::uint64_t punct = 0;
            std::uint64_t may_start = 0;
            const std::uint64_t alnum =
                fold_(buf + f, t + c + f, std::min<std::size_t>(len - f, 64), fold_tables_, punct,
                      may_start);
            starts[k] = ((alnum & ~((alnum << 1) | carry)) | punct) & may_start;
            carry = alnum >> 63;
            if (f + 64 == chunk) {
                prev_alnum = carry;  // For the next chunk, which starts after this block.
            }
        }
        std::memset(buf + f, 0, 64);

        // Every start is written to both lists; a list keeps it if its filter bit is set:
        // the long patterns' filter is keyed by eight octets, so few starts pass it.
        std::size_t longs = 0;
        std::size_t shorts = 0;
        const std::uint64_t* long_filter = long_filter_.data();
        const std::uint64_t* short_filter = short_filter_.data();
        for (std::size_t b = 0; b < starts_end; b += 64) {
            std::uint64_t s = starts[b / 64];
            if (starts_end - b < 64) {
                s &= (std::uint64_t{1} << (starts_end - b)) - 1;
            }
            while (s != 0) {
                const auto pos = b + lowest_bit(s);
                s &= s - 1;
                const std::uint64_t head = load64(buf + pos);
                long_starts[longs] = static_cast<std::uint16_t>(pos);
                longs += bit(long_filter, long_hash(head));
                short_starts[shorts] = static_cast<std::uint16_t>(pos);
                shorts += bit(short_filter, short_hash(head));
            }
        }
        std::size_t found_count = 0;
        for (std::size_t i = 0; i < shorts; ++i) {
            found_count = check_short(buf + short_starts[i], hits, found_count);
        }
        for (std::size_t i = 0; i < longs; ++i) {
            if (found_count > hits_capacity - max_group) {
                to(context, hits, found_count);
                found_count = 0;
            }
            found_count =
                check_long(buf + long_starts[i], n - c - long_starts[i], hits, found_count);
        }
        if (found_count != 0) {
            to(context, hits, found_count);
        }
    }
}

}  // namespace smtperr::detail
