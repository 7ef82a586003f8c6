#include "core/text/text_corpus.h"

#include "core/data/episode.h"
#include "core/util/error.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace maml {
namespace {

std::string joined(const std::vector<std::string>& names)
{
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

std::vector<std::string> splitOn(const std::string& text, char sep)
{
    std::vector<std::string> parts;
    std::stringstream in(text);
    for (std::string p; std::getline(in, p, sep);)
        parts.push_back(p);
    return parts;
}

/// A fixed permutation of 0..n-1 (Fisher-Yates on SplitMix64 draws, same on every platform).
std::vector<int> fixedPermutation(int n, uint64_t seed)
{
    std::vector<int> order(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        order[static_cast<size_t>(i)] = i;
    for (int i = n - 1; i > 0; --i) {
        auto j = static_cast<int>(deriveSeed(seed, static_cast<uint64_t>(i)) % static_cast<uint64_t>(i + 1));
        std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
    }
    return order;
}

} // namespace

TextCorpus::TextCorpus(std::string name, std::string location, const std::vector<RawText>& raw)
    : m_name(std::move(name)), m_location(std::move(location))
{
    if (raw.empty())
        throw Error("no labelled sentences", m_location, "check the file's format");
    std::set<std::string> labels;
    for (const auto& r : raw) {
        labels.insert(r.label);
        if (std::find(m_domains.begin(), m_domains.end(), r.domain) == m_domains.end())
            m_domains.push_back(r.domain);
    }
    m_labels.assign(labels.begin(), labels.end());
    m_items.assign(m_domains.size(), std::vector<std::vector<int>>(m_labels.size()));
    for (const auto& r : raw) {
        TextExample ex;
        ex.text = r.text;
        ex.label =
            static_cast<int>(std::lower_bound(m_labels.begin(), m_labels.end(), r.label) - m_labels.begin());
        ex.domain =
            static_cast<int>(std::find(m_domains.begin(), m_domains.end(), r.domain) - m_domains.begin());
        m_items[static_cast<size_t>(ex.domain)][static_cast<size_t>(ex.label)].push_back(size());
        m_examples.push_back(std::move(ex));
    }
}

const TextExample& TextCorpus::example(int index) const
{
    if (index < 0 || index >= size())
        throw Error("sentence index " + std::to_string(index) + " out of range", m_location);
    return m_examples[static_cast<size_t>(index)];
}

int TextCorpus::domainIndex(const std::string& name) const
{
    auto it = std::find(m_domains.begin(), m_domains.end(), name);
    if (it == m_domains.end())
        throw Error("unknown domain \"" + name + "\"", m_name, "known domains: " + joined(m_domains));
    return static_cast<int>(it - m_domains.begin());
}

const std::vector<int>& TextCorpus::items(int domain, int label) const
{
    return m_items.at(static_cast<size_t>(domain)).at(static_cast<size_t>(label));
}

std::vector<int> TextCorpus::part(int domain, const std::string& part) const
{
    if (part.empty()) {
        std::vector<int> all;
        for (size_t l = 0; l < m_labels.size(); ++l) {
            const auto& it = items(domain, static_cast<int>(l));
            all.insert(all.end(), it.begin(), it.end());
        }
        return all;
    }
    if (part != "train" && part != "val" && part != "test")
        throw Error("unknown part \"@" + part + "\"", m_name, "use @train (80%), @val (10%) or @test (10%)");
    std::vector<int> chosen;
    for (size_t l = 0; l < m_labels.size(); ++l) {
        const auto& it = items(domain, static_cast<int>(l));
        int n = static_cast<int>(it.size());
        int trainEnd = n * 8 / 10, valEnd = n * 9 / 10;
        int from = part == "train" ? 0 : part == "val" ? trainEnd : valEnd;
        int to = part == "train" ? trainEnd : part == "val" ? valEnd : n;
        auto order = fixedPermutation(n, 0x5e47u + static_cast<uint64_t>(domain) * 131u + l);
        for (int i = from; i < to; ++i)
            chosen.push_back(it[static_cast<size_t>(order[static_cast<size_t>(i)])]);
    }
    std::sort(chosen.begin(), chosen.end());
    return chosen;
}

std::vector<int> TextCorpus::select(const std::string& split) const
{
    std::set<int> chosen;
    auto terms = splitOn(split, '+');
    if (terms.empty())
        throw Error("empty split", m_name, "name domains, e.g. " + joined(m_domains));
    for (const auto& term : terms) {
        auto at = term.find('@');
        std::string name = term.substr(0, at), which = at == std::string::npos ? "" : term.substr(at + 1);
        for (int d = 0; d < static_cast<int>(m_domains.size()); ++d) {
            if (name != "all" && d != domainIndex(name))
                continue;
            auto indices = part(d, which);
            chosen.insert(indices.begin(), indices.end());
        }
    }
    return {chosen.begin(), chosen.end()};
}

std::vector<std::string> TextCorpus::texts(const std::vector<int>& indices) const
{
    std::vector<std::string> out;
    out.reserve(indices.size());
    for (int i : indices)
        out.push_back(example(i).text);
    return out;
}

} // namespace maml
