// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_SRC_CLASSIFY_HELP_URL_HPP
#define SMTPERR_SRC_CLASSIFY_HELP_URL_HPP

#include <string_view>

namespace smtperr::detail {

/// Whether `url` is a help link the classifier gives for `provider` (a provider id such as
/// "gmail"): lower-case http(s), a host on one of that provider's help domains, no user
/// info, a port of digits only. A saved outbox is checked with it on restore, so an edited
/// file cannot put a look-alike link in front of the user as the provider's own.
bool provider_help_url(std::string_view provider, std::string_view url) noexcept;

}  // namespace smtperr::detail

#endif  // SMTPERR_SRC_CLASSIFY_HELP_URL_HPP
