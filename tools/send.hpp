// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// `smtperr send`: one message with smtperr's own transport, its UI events as they happen.

#ifndef SMTPERR_TOOLS_SEND_HPP
#define SMTPERR_TOOLS_SEND_HPP

#include <smtperr/messages/messages.hpp>

#include <string_view>

namespace smtperr::tool {

/// The `send` lines of the usage text.
extern const std::string_view send_usage;

/** Runs `smtperr send` with the arguments after "send" (DESIGN.md's contract).

    @returns the exit status: 0 sent, 2 partially sent, 3 deferred, 4 failed, 1 bad usage.
*/
int cmd_send(int argc, char** argv, int first, language default_lang);

}  // namespace smtperr::tool

#endif  // SMTPERR_TOOLS_SEND_HPP
