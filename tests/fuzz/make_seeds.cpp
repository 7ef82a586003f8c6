// Writes the seed corpus of every fuzz target: small valid inputs (and a few near misses), each
// prefixed with the mode byte its target reads first. Usage: maml_fuzz_seeds OUT_DIR
#include "core/engine/checkpoint.h"
#include "core/engine/model_factory.h"
#include "core/engine/presets.h"
#include "fuzz_support.h"
#include "test_support.h"

#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include <cstdio>

using namespace maml;
namespace fs = std::filesystem;

namespace {
fs::path g_out;

void seed(const std::string& target, const std::string& name, const std::string& bytes)
{
    fuzz::writeFile(g_out / target / name, bytes);
}

std::string mode(int m)
{
    return std::string(1, static_cast<char>(m));
}

std::string bigEndian(uint32_t v)
{
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
            static_cast<char>(v)};
}

std::string joined(const std::vector<std::string>& names)
{
    std::string s;
    for (const auto& n : names)
        s += n + "\n";
    return s;
}

std::string encoded(const std::string& ext, const cv::Mat& image)
{
    std::vector<uchar> bytes;
    cv::imencode(ext, image, bytes);
    return {bytes.begin(), bytes.end()};
}

void cifarSeeds()
{
    std::string records;
    for (int i = 0; i < 3; ++i)
        records += test::cifarRecord(test::cifarCoarseOf(i * 30), i * 30, i);
    seed("cifar", "records", mode(0) + records);
    seed("cifar", "short", mode(0) + records.substr(0, 5000));
    seed("cifar", "fine", mode(1) + joined(test::cifarFineNames()));
    seed("cifar", "coarse", mode(2) + joined(test::cifarCoarseNames()));
}

void idxSeeds()
{
    std::string images = bigEndian(0x803) + bigEndian(4) + bigEndian(28) + bigEndian(28);
    for (int i = 0; i < 4 * 28 * 28; ++i)
        images += static_cast<char>(i * 7);
    const std::string labels = bigEndian(0x801) + bigEndian(4) + std::string("\x00\x03\x05\x09", 4);
    seed("idx", "plain", mode(0) + images + "|||" + labels);
    seed("idx", "gz", mode(1) + fuzz::gzip(images));
}

void imageSeeds()
{
    const cv::Mat gray = test::patternImage(20, 20, 1, 1), color = test::patternImage(24, 18, 3, 2);
    seed("image_folder", "png", mode(0) + "cat|||" + encoded(".png", gray));
    seed("image_folder", "jpg", mode(5) + "caf\xe9|||" + encoded(".jpg", color));
    seed("image_folder", "bmp", mode(2) + "dog|||" + encoded(".bmp", color));
    const std::string jpeg = encoded(".jpg", gray);
    seed("image_folder", "cut", mode(1) + "x|||" + jpeg.substr(0, jpeg.size() / 2));
}

void textSeeds()
{
    seed("text", "tsv",
         mode(0) + "text\tlabel\tdomain\ngood film\tpositive\tmovies\nbad\tnegative\tmovies\n");
    seed("text", "latin1", mode(0) + "caf\xe9 noir\tpositive\nna\xefve\tnegative\n");
    seed("text", "csv", mode(1) + "text,label\n\"a \"\"quoted\"\" line\",pos\nplain,neg\n");
    seed("text", "jsonl",
         mode(2) + "{\"text\": \"fine\", \"label\": 1}\n{\"text\": \"poor\", \"label\": \"neg\", \"domain\": "
                   "\"x\"}\n");
    seed("text", "fixture",
         mode(3) + "[{\"text\": \"ok\", \"class\": 1}, {\"text\": \"no\", \"class\": 0}, {\"text\": \"\", "
                   "\"class\": null}]");
    seed("text", "imdb", mode(4) + "[{\"t\": \"great\", \"s\": \"pos\"}, {\"t\": \"dull\", \"s\": 0}]");
}

void configSeeds()
{
    int i = 0;
    for (const auto& p : presets())
        seed("config", "preset" + std::to_string(i++), p.config.toJson().dump());
    seed("config", "small",
         "{\"ways\": 3, \"shots\": 2, \"extra\": {\"dModel\": 8, \"heads\": 2}, \"model\": \"transformer\"}");
}

void checkpointSeeds()
{
    ExperimentConfig c;
    c.dataset = "glyphs";
    c.imageSize = 16;
    c.filters = 4;
    c.ways = 3;
    torch::manual_seed(1);
    auto model = makeModel(c);
    CheckpointInfo info;
    info.config = c;
    info.iteration = 5;
    const fs::path file = g_out / "tmp.pt";
    saveCheckpoint(file, *model, nullptr, info);
    seed("checkpoint", "whole", mode(0) + test::readBytes(file));
    fs::remove(file);
    const nlohmann::json j = {{"config", c.toJson()},
                              {"iteration", 5},
                              {"best_val_accuracy", 0.5},
                              {"best_iteration", 5},
                              {"extra", {{"seconds", 1.5}}}};
    seed("checkpoint", "info", mode(1) + j.dump());
}
} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: maml_fuzz_seeds OUT_DIR\n");
        return 2;
    }
    fuzz::quiet();
    g_out = argv[1];
    cifarSeeds();
    idxSeeds();
    imageSeeds();
    textSeeds();
    configSeeds();
    checkpointSeeds();
    return 0;
}
