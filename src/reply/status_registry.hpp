// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_SRC_REPLY_STATUS_REGISTRY_HPP
#define SMTPERR_SRC_REPLY_STATUS_REGISTRY_HPP

#include <smtperr/reply/enhanced_status.hpp>

#include <cstddef>

namespace smtperr::detail {

/// The IANA registry rows, sorted by (subject, detail).
extern const status_registry_entry status_registry[];
extern const std::size_t status_registry_size;

}  // namespace smtperr::detail

#endif  // SMTPERR_SRC_REPLY_STATUS_REGISTRY_HPP
