#pragma once
/// \file
/// The one kind of registry the engine's extension points use (models, task sources, config
/// preparers, presets): a thread-safe list of named entries, filled once at start-up by
/// registerBuiltinModules() (core/modules.h) and read afterwards.

#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace maml {

template <typename T> class Registry {
public:
    /// Adds `value` under `name`; an entry of the same name is replaced where it stands.
    void add(const std::string& name, T value)
    {
        std::lock_guard lock(m_mutex);
        for (auto& entry : m_entries)
            if (entry.first == name) {
                entry.second = std::move(value);
                return;
            }
        m_entries.emplace_back(name, std::move(value));
    }

    /// A copy of the entries, in the order they were added.
    std::vector<std::pair<std::string, T>> entries() const
    {
        std::lock_guard lock(m_mutex);
        return m_entries;
    }

    std::optional<T> find(const std::string& name) const
    {
        std::lock_guard lock(m_mutex);
        for (const auto& entry : m_entries)
            if (entry.first == name)
                return entry.second;
        return std::nullopt;
    }

    std::vector<std::string> names() const
    {
        std::lock_guard lock(m_mutex);
        std::vector<std::string> out;
        for (const auto& entry : m_entries)
            out.push_back(entry.first);
        return out;
    }

    bool empty() const
    {
        std::lock_guard lock(m_mutex);
        return m_entries.empty();
    }

private:
    mutable std::mutex m_mutex;
    std::vector<std::pair<std::string, T>> m_entries;
};

} // namespace maml
