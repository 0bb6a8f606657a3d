// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include "seed_replies.hpp"

namespace smtperr::tool {

namespace {

constexpr seed_reply rows[] = {
    {phase::greeting,
     "421 4.3.2 mail.example.net Service not available, closing transmission channel"},
    {phase::rcpt, "450 4.2.1 <anna@example.de>: Mailbox temporarily locked, try again later"},
    {phase::data_end, "451 4.3.0 Requested action aborted: local error in processing"},
    {phase::mail, "452 4.3.1 Insufficient system storage"},
    {phase::auth, "454 4.7.0 Temporary authentication failure"},
    {phase::mail, "501 5.5.4 Syntax error in parameters or arguments"},
    {phase::data, "503 5.5.1 Bad sequence of commands"},
    {phase::mail, "504 5.5.4 Command parameter not implemented"},
    {phase::greeting, "521 5.3.2 mail.example.net does not accept mail"},
    {phase::mail, "530 5.7.0 Authentication required"},
    {phase::auth, "535 5.7.8 Authentication credentials invalid"},
    {phase::rcpt, "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"},
    {phase::rcpt, "551 5.1.6 User not local; please try <bob@new.example.org>"},
    {phase::data_end, "552 5.3.4 Message size exceeds fixed maximum message size"},
    {phase::rcpt,
     "553 5.1.3 <bob@@example.org>: Recipient address rejected: mailbox name not allowed"},
    {phase::data_end,
     "554 5.7.1 Transaction failed: sender address is not allowed for the authenticated user"},
};

}  // namespace

std::span<const seed_reply> seed_replies() noexcept {
    return rows;
}

}  // namespace smtperr::tool
