// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// Every error category of the library, defined exactly once: categories compare by
// address, so a second definition in another shared object would break equality.

#include <smtperr/error/condition.hpp>
#include <smtperr/error/errc.hpp>
#include <smtperr/error/reply_code.hpp>
#include <smtperr/error/status_code.hpp>

#include <array>
#include <string>

#include "error/tables.hpp"

namespace smtperr {

namespace {

condition class_fallback(int first_digit) noexcept {
    switch (first_digit) {
        case 4:
            return condition::transient_failure;
        case 5:
            return condition::permanent_failure;
        default:
            return condition::none;
    }
}

class reply_category_impl final : public std::error_category {
  public:
    const char* name() const noexcept override { return "smtperr.reply"; }
    std::string message(int v) const override {
        if (v < 200 || v > 599) {
            return "invalid reply code " + std::to_string(v);
        }
        if (const auto* row = detail::find_reply_code_row(v)) {
            return std::to_string(v) + ' ' + std::string(row->meaning);
        }
        const char* cls = v < 300   ? "positive completion"
                          : v < 400 ? "positive intermediate"
                          : v < 500 ? "transient negative completion"
                                    : "permanent negative completion";
        return std::to_string(v) + " unknown reply code (" + cls + ")";
    }
    std::error_condition default_error_condition(int v) const noexcept override {
        // Not a reply code: no condition of its own (none means a positive reply).
        return v < 200 || v > 599 ? std::error_condition(v, *this)
                                  : make_error_condition(default_condition(v));
    }
};

class status_category_impl final : public std::error_category {
  public:
    const char* name() const noexcept override { return "smtperr.status"; }
    std::string message(int v) const override {
        const auto s = enhanced_status::from_value(v);
        if (!s) {
            return "invalid enhanced status code";
        }
        return s->to_string() + ' ' + std::string(status_meaning(*s));
    }
    std::error_condition default_error_condition(int v) const noexcept override {
        const auto s = enhanced_status::from_value(v);
        return s ? make_error_condition(default_condition(*s)) : std::error_condition(v, *this);
    }
};

class transport_category_impl final : public std::error_category {
  public:
    const char* name() const noexcept override { return "smtperr.transport"; }
    std::string message(int v) const override {
        const auto* row = detail::find_errc_row(v);
        return row ? std::string(row->message) : "unknown smtperr.transport error";
    }
    std::error_condition default_error_condition(int v) const noexcept override {
        const auto* row = detail::find_errc_row(v);
        // Caller errors have no condition of their own (none means a positive reply).
        return row && row->cond != condition::none ? make_error_condition(row->cond)
                                                   : std::error_condition(v, *this);
    }
};

class condition_category_impl final : public std::error_category {
  public:
    const char* name() const noexcept override { return "smtperr.condition"; }
    std::string message(int v) const override {
        if (v < 0 || v >= condition_count) {
            return "unknown smtperr condition";
        }
        return std::string(detail::condition_rows[v].description);
    }
};

class failure_class_category_impl final : public std::error_category {
  public:
    const char* name() const noexcept override { return "smtperr.class"; }
    std::string message(int v) const override {
        switch (static_cast<failure_class>(v)) {
            case failure_class::transient:
                return "transient failure";
            case failure_class::permanent:
                return "permanent failure";
        }
        return "unknown smtperr failure class";
    }
    bool equivalent(const std::error_code& ec, int v) const noexcept override {
        int cls = 0;
        if (ec.category() == reply_category()) {
            cls = ec.value() / 100;
        } else if (ec.category() == status_category()) {
            cls = ec.value() / 1000000;
        } else if (ec.category() == transport_category()) {
            const auto* row = detail::find_errc_row(ec.value());
            return row != nullptr && static_cast<int>(row->cls) == v;
        }
        return (cls == 4 && v == static_cast<int>(failure_class::transient)) ||
               (cls == 5 && v == static_cast<int>(failure_class::permanent));
    }
};

}  // namespace

const std::error_category& reply_category() noexcept {
    static const reply_category_impl cat;
    return cat;
}

const std::error_category& status_category() noexcept {
    static const status_category_impl cat;
    return cat;
}

const std::error_category& transport_category() noexcept {
    static const transport_category_impl cat;
    return cat;
}

const std::error_category& condition_category() noexcept {
    static const condition_category_impl cat;
    return cat;
}

const std::error_category& failure_class_category() noexcept {
    static const failure_class_category_impl cat;
    return cat;
}

std::string_view reply_code_meaning(int code) noexcept {
    const auto* row = detail::find_reply_code_row(code);
    return row ? row->meaning : std::string_view{};
}

std::string_view to_string(condition c) noexcept {
    const int v = static_cast<int>(c);
    return v >= 0 && v < condition_count ? detail::condition_rows[v].name : std::string_view{};
}

std::optional<condition> condition_from_string(std::string_view name) noexcept {
    for (int v = 0; v < condition_count; ++v) {
        if (detail::condition_rows[v].name == name) {
            return static_cast<condition>(v);
        }
    }
    return std::nullopt;
}

condition default_condition(int reply_code) noexcept {
    if (const auto* row = detail::find_reply_code_row(reply_code)) {
        return row->default_condition;
    }
    return class_fallback(reply_code / 100);
}

namespace {

// The table's condition for a class, subject and detail (none if it has no row for them).
condition status_row_condition(int cls, int subject, int detail) noexcept {
    condition found = condition::none;
    for (std::size_t i = 0; i < detail::status_condition_row_count; ++i) {
        const auto& row = detail::status_condition_rows[i];
        if (row.subject != subject) {
            continue;
        }
        const condition c = cls == 4 && row.transient_condition != condition::none
                                ? row.transient_condition
                                : row.default_condition;
        if (row.detail == detail) {
            found = c;
            break;
        }
        if (row.detail < 0) {
            found = c;  // Subject default; a detail row may follow.
        }
    }
    return found;
}

}  // namespace

condition default_condition(enhanced_status s) noexcept {
    if (s.cls != 4 && s.cls != 5) {
        return condition::none;
    }
    // The classifier asks for every reply: the common subjects and details come from a
    // table made once from the rows, the rest from the rows themselves.
    constexpr int subjects = 8;
    constexpr int details = 32;
    constexpr auto index = [](int cls, int subject, int detail) {
        return static_cast<std::size_t>(((cls - 4) * subjects + subject) * details + detail);
    };
    static const auto common = [&] {
        std::array<condition, 2 * subjects * details> t{};
        for (int cls = 4; cls <= 5; ++cls) {
            for (int subject = 0; subject < subjects; ++subject) {
                for (int detail = 0; detail < details; ++detail) {
                    t[index(cls, subject, detail)] = status_row_condition(cls, subject, detail);
                }
            }
        }
        return t;
    }();
    const condition found = s.subject < subjects && s.detail < details
                                ? common[index(s.cls, s.subject, s.detail)]
                                : status_row_condition(s.cls, s.subject, s.detail);
    return found != condition::none ? found : class_fallback(s.cls);
}

}  // namespace smtperr
