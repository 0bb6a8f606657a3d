// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_SRC_CLASSIFY_BITS_HPP
#define SMTPERR_SRC_CLASSIFY_BITS_HPP

#include <cstddef>
#include <cstdint>

namespace smtperr::detail {

/// Index of the lowest set bit of a non-zero word.
inline std::size_t lowest_bit(std::uint64_t bits) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    return static_cast<std::size_t>(__builtin_ctzll(bits));
#else
    std::size_t i = 0;
    while ((bits & 1u) == 0) {
        bits >>= 1;
        ++i;
    }
    return i;
#endif
}

}  // namespace smtperr::detail

#endif  // SMTPERR_SRC_CLASSIFY_BITS_HPP
