#pragma once
/// \file
/// Labelled sentences grouped by domain (e.g. amazon, yelp, imdb) and label.

#include <string>
#include <vector>

namespace maml {

/// One labelled sentence as a reader returns it (label and domain still as text).
struct RawText {
    std::string text;
    std::string label;
    std::string domain;
    int line = 0; ///< line (or record) in the source file, 1-based, for messages
};

/// One sentence of a corpus; label and domain are indices into the corpus' name lists.
struct TextExample {
    std::string text;
    int label = 0;
    int domain = 0;
};

/// A text dataset: sentences with a label and a domain. Few-shot text tasks draw their
/// classes (labels) from one domain at a time. Example indices are 0..size()-1.
class TextCorpus {
public:
    /// Label names are sorted (so "negative" < "positive", "0" < "1"); domains keep the
    /// order of first appearance. Throws maml::Error if `raw` is empty.
    TextCorpus(std::string name, std::string location, const std::vector<RawText>& raw);

    const std::string& name() const { return m_name; }
    const std::string& location() const { return m_location; }
    const std::vector<std::string>& labelNames() const { return m_labels; }
    const std::vector<std::string>& domainNames() const { return m_domains; }
    int size() const { return static_cast<int>(m_examples.size()); }
    const TextExample& example(int index) const;

    /// Index of domain `name`; throws maml::Error listing the domains if unknown.
    int domainIndex(const std::string& name) const;
    /// Example indices of `domain` with `label`, in file order.
    const std::vector<int>& items(int domain, int label) const;

    /// Example indices chosen by `split`: domains joined by '+', each optionally restricted
    /// to a part of its examples with "@train" (80%), "@val" (10%) or "@test" (10%), e.g.
    /// "amazon@train+yelp@train" or "imdb"; "all" stands for every domain ("all@test": the
    /// test part of every domain). The parts are fixed
    /// (a seeded shuffle per domain and label) and disjoint. Throws maml::Error if unknown.
    std::vector<int> select(const std::string& split) const;
    /// Texts of the examples `indices`.
    std::vector<std::string> texts(const std::vector<int>& indices) const;

private:
    std::vector<int> part(int domain, const std::string& part) const;

    std::string m_name;
    std::string m_location;
    std::vector<std::string> m_labels;
    std::vector<std::string> m_domains;
    std::vector<TextExample> m_examples;
    std::vector<std::vector<std::vector<int>>> m_items; ///< [domain][label] -> example indices
};

} // namespace maml
