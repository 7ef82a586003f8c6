#include "core/util/json_limits.h"

#include "core/util/error.h"

#include <fstream>
#include <vector>

namespace maml {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {
std::string megabytes(size_t bytes)
{
    if (bytes < (size_t(1) << 20))
        return std::to_string((bytes + 1023) >> 10) + " KiB";
    return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB";
}

/// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
std::string plainMessage(const json::exception& e)
{
    const std::string what = e.what();
    const auto close = what.find("] ");
    return close == std::string::npos ? what : what.substr(close + 2);
}

/// Follows the parser's keys so that an error can say which setting it is in.
class KeyTrail {
public:
    void enter(int depth, const std::string& key)
    {
        m_keys.resize(static_cast<size_t>(depth) + 1);
        m_keys[static_cast<size_t>(depth)] = key;
        m_depth = depth;
    }
    std::string path() const
    {
        std::string p;
        for (size_t i = 0; i <= static_cast<size_t>(m_depth) && i < m_keys.size(); ++i)
            p += (p.empty() ? "" : ".") + m_keys[i];
        return p;
    }

private:
    std::vector<std::string> m_keys;
    int m_depth = -1;
};
} // namespace

nlohmann::json parseJsonText(const std::string& text, const std::string& where, const JsonLimits& limits,
                             const std::string& hint)
{
    if (text.size() > limits.maxBytes)
        throw Error("the JSON text is " + megabytes(text.size()) + ", more than the " +
                        megabytes(limits.maxBytes) + " this file may hold",
                    where, hint);
    KeyTrail keys;
    auto guard = [&](int depth, json::parse_event_t event, json& parsed) {
        if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
            depth >= limits.maxDepth)
            throw Error("the JSON is nested more than " + std::to_string(limits.maxDepth) + " levels deep",
                        where, hint);
        if (event == json::parse_event_t::key && parsed.is_string())
            keys.enter(depth, parsed.get<std::string>());
        return true;
    };
    try {
        return json::parse(text, guard);
    } catch (const json::out_of_range& e) {
        const std::string key = keys.path();
        throw Error("a number is too large (" + plainMessage(e) + ")" +
                        (key.empty() ? "" : " in '" + key + "'"),
                    where, hint);
    } catch (const json::exception& e) {
        throw Error("not valid JSON: " + plainMessage(e), where, hint);
    }
}

std::string readFileCapped(const fs::path& path, size_t maxBytes, const std::string& what)
{
    auto tooLarge = [&](const std::string& size) {
        return Error("the " + what + " is " + size + "more than the " + megabytes(maxBytes) + " it may have",
                     path.string(), "Check that this is the right file");
    };
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (!ec && size > maxBytes)
        throw tooLarge(megabytes(size) + ", ");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot open the file", path.string(), "Check that it exists and is readable");
    // Read at most one byte more than allowed: a device or a growing file never fills the memory.
    std::string text;
    char buffer[1 << 16];
    while (in && text.size() <= maxBytes) {
        in.read(buffer, sizeof buffer);
        text.append(buffer, static_cast<size_t>(in.gcount()));
    }
    if (in.bad())
        throw Error("cannot read the file", path.string(), "Check the disk and permissions");
    if (text.size() > maxBytes)
        throw tooLarge("");
    return text;
}

nlohmann::json readJsonFile(const fs::path& path, const JsonLimits& limits, const std::string& hint)
{
    return parseJsonText(readFileCapped(path, limits.maxBytes, "JSON file"), path.string(), limits, hint);
}

} // namespace maml
