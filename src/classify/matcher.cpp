// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include "classify/matcher.hpp"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

constexpr std::uint32_t window_hash(std::uint32_t window, unsigned bits) noexcept {
    return (window * 0x9E3779B1u) >> (32 - bits);
}

constexpr std::uint32_t head_hash(std::uint64_t head, unsigned bits) noexcept {
    return static_cast<std::uint32_t>((head * 0x9E3779B97F4A7C15u) >> (64 - bits));
}

std::uint64_t load64(const unsigned char* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

std::uint32_t load32(const unsigned char* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Sixteen octets from `src` to `dst`, folded as fold_octet() does.
inline void fold16(unsigned char* dst, const unsigned char* src) noexcept {
#if defined(__SSE2__)
    // Signed compares: octets from 0x80 on are negative, so only ASCII falls in a range.
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
    const __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                                        _mm_cmpgt_epi8(_mm_set1_epi8('Z' + 1), v));
    const __m128i space = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('\t' - 1)),
                                        _mm_cmpgt_epi8(_mm_set1_epi8('\r' + 1), v));
    const __m128i lower = _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
    const __m128i folded =
        _mm_or_si128(_mm_andnot_si128(space, lower), _mm_and_si128(space, _mm_set1_epi8(' ')));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), folded);
#else
    for (int k = 0; k < 16; ++k) {
        dst[k] = fold_octet(src[k]);
    }
#endif
}

}  // namespace

std::uint16_t multi_matcher::add(std::string_view pattern) {
    std::string p;
    p.reserve(pattern.size());
    for (char c : pattern) {
        p.push_back(static_cast<char>(fold_octet(static_cast<unsigned char>(c))));
    }
    for (std::size_t id = 0; id < offsets_.size(); ++id) {
        if (std::string_view(folded_).substr(offsets_[id], lengths_[id]) == p) {
            return static_cast<std::uint16_t>(id);
        }
    }
    offsets_.push_back(static_cast<std::uint32_t>(folded_.size()));
    lengths_.push_back(static_cast<std::uint16_t>(p.size()));
    folded_ += p;
    return static_cast<std::uint16_t>(offsets_.size() - 1);
}

bool multi_matcher::build() {
    punct_starts_.clear();
    const std::size_t buckets = std::size_t{1} << bucket_bits;
    std::vector<std::vector<entry>> by_bucket(buckets);
    std::vector<entry> longs;
    filter_.assign((std::size_t{1} << filter_bits) / 64, 0);
    for (std::size_t id = 0; id < offsets_.size(); ++id) {
        const std::size_t len = lengths_[id];
        if (len < 3 || len > max_pattern) {
            return false;
        }
        const auto* p = reinterpret_cast<const unsigned char*>(folded_.data() + offsets_[id]);
        if (!folded_alnum(p[0]) && punct_start_[p[0]] == 0) {
            punct_start_[p[0]] = 1;
            punct_starts_.push_back(static_cast<char>(p[0]));
        }
        unsigned char head[8] = {};
        std::memcpy(head, p, std::min<std::size_t>(len, 8));
        const entry e{
            load64(head), len >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * len)) - 1,
            static_cast<std::uint16_t>(id), static_cast<std::uint16_t>(len), offsets_[id]};
        // The first four octets; after a three-octet pattern, any fourth.
        const std::uint32_t key = load32(head);
        for (std::uint32_t fourth = 0; fourth < (len == 3 ? 256u : 1u); ++fourth) {
            const std::uint32_t h = window_hash(key | (fourth << 24), filter_bits);
            filter_[h / 64] |= std::uint64_t{1} << (h % 64);
            auto& bucket = by_bucket[h >> (filter_bits - bucket_bits)];
            if (len < 8 && std::find_if(bucket.begin(), bucket.end(), [&](const entry& x) {
                               return x.id == e.id;
                           }) == bucket.end()) {
                bucket.push_back(e);
            }
        }
        if (len >= 8) {
            longs.push_back(e);
        }
    }
    bucket_begin_.assign(buckets + 1, 0);
    entries_.clear();
    for (std::size_t b = 0; b < buckets; ++b) {
        bucket_begin_[b] = static_cast<std::uint32_t>(entries_.size());
        entries_.insert(entries_.end(), by_bucket[b].begin(), by_bucket[b].end());
    }
    bucket_begin_[buckets] = static_cast<std::uint32_t>(entries_.size());

    // Long patterns grouped by their first eight octets, one slot per group.
    std::stable_sort(longs.begin(), longs.end(),
                     [](const entry& x, const entry& y) { return x.head < y.head; });
    long_ = longs;
    heads_.assign(std::size_t{1} << head_bits, head_slot{});
    std::size_t used = 0;
    for (std::size_t i = 0; i < long_.size();) {
        std::size_t j = i;
        while (j < long_.size() && long_[j].head == long_[i].head) {
            ++j;
        }
        if (2 * ++used > heads_.size()) {
            return false;  // Over half full: probes would grow long.
        }
        std::size_t slot = head_hash(long_[i].head, head_bits);
        while (heads_[slot].head != 0) {
            slot = (slot + 1) % heads_.size();
        }
        heads_[slot] = {long_[i].head, static_cast<std::uint32_t>(i),
                        static_cast<std::uint32_t>(j)};
        i = j;
    }
    folded_.append(8, '\0');  // So that a pattern's last eight octets load as one word.
    return true;
}

// Compares the patterns that may start at `p` (folded text, `left` ≥ 3 octets of it, NULs
// after them) with it; `h` is the filter hash of its first four octets.
void multi_matcher::check(const unsigned char* p, std::uint32_t h, std::size_t left,
                          std::uint64_t* found) const noexcept {
    const std::uint64_t head = load64(p);
    const std::uint32_t bucket = h >> (filter_bits - bucket_bits);
    for (std::uint32_t b = bucket_begin_[bucket]; b < bucket_begin_[bucket + 1]; ++b) {
        const entry& e = entries_[b];
        if ((head & e.mask) == e.head && e.length <= left) {
            found[e.id / 64] |= std::uint64_t{1} << (e.id % 64);
        }
    }
    if (left < 8) {
        return;
    }
    for (std::size_t slot = head_hash(head, head_bits); heads_[slot].head != 0;
         slot = (slot + 1) % heads_.size()) {
        if (heads_[slot].head != head) {
            continue;
        }
        for (std::uint32_t b = heads_[slot].begin; b < heads_[slot].end; ++b) {
            const entry& e = long_[b];
            if (e.length > left) {
                continue;
            }
            // Eight octets at a time; the last word overlaps the one before it.
            const auto* pat = reinterpret_cast<const unsigned char*>(folded_.data() + e.offset);
            bool same = true;
            for (std::size_t k = 8; k < e.length && same; k += 8) {
                const std::size_t at = std::min<std::size_t>(k, e.length - 8);
                same = load64(p + at) == load64(pat + at);
            }
            if (same) {
                found[e.id / 64] |= std::uint64_t{1} << (e.id % 64);
            }
        }
        return;
    }
}

void multi_matcher::scan(std::string_view text, std::uint64_t* found) const noexcept {
    const std::size_t n = text.size();
    if (n < 3 || filter_.empty()) {
        return;
    }
    const auto* t = reinterpret_cast<const unsigned char*>(text.data());
    // A chunk of token starts, folded with the longest pattern's worth of octets after it,
    // then a block of NULs (which start no token and equal no pattern octet).
    constexpr std::size_t span = chunk + max_pattern + 8;
    alignas(16) unsigned char buf[(span + 15) / 16 * 16 + 16];
    unsigned prev_alnum = 0;
    for (std::size_t c = 0; c + 2 < n; c += chunk) {
        const std::size_t len = std::min(n - c, span);
        std::size_t f = 0;
        for (; f + 16 <= len; f += 16) {
            fold16(buf + f, t + c + f);
        }
        unsigned char last[16] = {};
        std::memcpy(last, t + c + f, len - f);
        fold16(buf + f, last);
        std::memset(buf + f + 16, 0, 16);

        // Token starts where three octets or more remain.
        const std::size_t starts_end = std::min(chunk, n - c - 2);
        for (std::size_t b = 0; b < starts_end; b += 16) {
            unsigned alnum = 0;
            unsigned punct = 0;
#if defined(__SSE2__)
            // In range ⇔ the saturating difference to the range's top is zero.
            const __m128i v = _mm_load_si128(reinterpret_cast<const __m128i*>(buf + b));
            const __m128i zero = _mm_setzero_si128();
            const __m128i is_letter = _mm_cmpeq_epi8(
                _mm_subs_epu8(_mm_sub_epi8(v, _mm_set1_epi8('a')), _mm_set1_epi8(25)), zero);
            const __m128i is_digit = _mm_cmpeq_epi8(
                _mm_subs_epu8(_mm_sub_epi8(v, _mm_set1_epi8('0')), _mm_set1_epi8(9)), zero);
            alnum = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(is_letter, is_digit)));
            for (const char pc : punct_starts_) {
                punct |=
                    static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(pc))));
            }
#else
            for (unsigned k = 0; k < 16; ++k) {
                alnum |= unsigned{folded_alnum(buf[b + k])} << k;
                punct |= unsigned{punct_start_[buf[b + k]]} << k;
            }
#endif
            unsigned starts = (alnum & ~((alnum << 1) | prev_alnum)) | punct;
            prev_alnum = (alnum >> 15) & 1u;
            if (starts_end - b < 16) {
                starts &= (1u << (starts_end - b)) - 1;
            }
            while (starts != 0) {
                const auto pos = b + static_cast<std::size_t>(__builtin_ctz(starts));
                starts &= starts - 1;
                const std::uint32_t h = window_hash(load32(buf + pos), filter_bits);
                if (((filter_[h / 64] >> (h % 64)) & 1u) != 0) {
                    check(buf + pos, h, n - c - pos, found);
                }
            }
        }
    }
}

}  // namespace smtperr::detail
