// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include "test_message.hpp"

#include <ctime>

namespace smtperr::tool {

std::string utc(std::chrono::system_clock::time_point t, const char* format) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    return std::string(buf, std::strftime(buf, sizeof buf, format, &tm));
}

std::string make_test_message(std::string_view from, const std::vector<std::string>& to,
                              std::optional<std::uint64_t> size,
                              std::chrono::system_clock::time_point now) {
    std::string to_list;
    for (const auto& r : to) {
        to_list += (to_list.empty() ? "<" : ",\r\n <") + r + ">";
    }
    std::string m =
        "From: <" + std::string(from) + ">\r\nTo: " + to_list +
        "\r\nSubject: smtperr send test\r\nDate: " + utc(now, "%a, %d %b %Y %H:%M:%S +0000") +
        "\r\nMessage-ID: <" + std::to_string(now.time_since_epoch().count()) +
        ".smtperr@localhost>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "A test message sent with smtperr send.\r\n";
    if (size) {
        if (*size < m.size()) {
            return {};
        }
        const std::string line = std::string(76, 'x') + "\r\n";
        while (m.size() + line.size() <= *size) {
            m += line;
        }
        // A last, shorter line; one or two bytes left over go into the line before.
        if (const auto left = *size - m.size(); left >= 3) {
            m.append(left - 2, 'x').append("\r\n");
        } else if (left > 0) {
            m.insert(m.size() - 2, left, 'x');
        }
    }
    return m;
}

}  // namespace smtperr::tool
