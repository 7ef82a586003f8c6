#include "test_support.h"

#include "core/util/error.h"

#include <algorithm>
#include <archive.h>
#include <archive_entry.h>
#include <opencv2/imgcodecs.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>

namespace maml::test {
namespace fs = std::filesystem;

std::string errorOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

TempDir::TempDir()
{
    std::string tmpl = (fs::temp_directory_path() / "maml-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data()))
        throw std::runtime_error("mkdtemp failed");
    m_path = tmpl;
}

TempDir::~TempDir()
{
    std::error_code ec;
    fs::remove_all(m_path, ec);
}

void writeBytes(const fs::path& file, const std::string& bytes)
{
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string readBytes(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

cv::Mat patternImage(int rows, int cols, int channels, int seed)
{
    cv::Mat m(rows, cols, channels == 1 ? CV_8UC1 : CV_8UC3);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols * channels; ++c)
            m.ptr<uint8_t>(r)[c] = static_cast<uint8_t>((seed * 37 + r * 11 + c * 5 + (r * c) % 7) & 0xFF);
    return m;
}

void writePng(const fs::path& file, const cv::Mat& image)
{
    fs::create_directories(file.parent_path());
    if (!cv::imwrite(file.string(), image))
        throw std::runtime_error("cannot write " + file.string());
}

const std::vector<std::string>& cifarFineNames()
{
    static const std::vector<std::string> names = {
        "apple",       "aquarium_fish", "baby",      "bear",       "beaver",       "bed",
        "bee",         "beetle",        "bicycle",   "bottle",     "bowl",         "boy",
        "bridge",      "bus",           "butterfly", "camel",      "can",          "castle",
        "caterpillar", "cattle",        "chair",     "chimpanzee", "clock",        "cloud",
        "cockroach",   "couch",         "crab",      "crocodile",  "cup",          "dinosaur",
        "dolphin",     "elephant",      "flatfish",  "forest",     "fox",          "girl",
        "hamster",     "house",         "kangaroo",  "keyboard",   "lamp",         "lawn_mower",
        "leopard",     "lion",          "lizard",    "lobster",    "man",          "maple_tree",
        "motorcycle",  "mountain",      "mouse",     "mushroom",   "oak_tree",     "orange",
        "orchid",      "otter",         "palm_tree", "pear",       "pickup_truck", "pine_tree",
        "plain",       "plate",         "poppy",     "porcupine",  "possum",       "rabbit",
        "raccoon",     "ray",           "road",      "rocket",     "rose",         "sea",
        "seal",        "shark",         "shrew",     "skunk",      "skyscraper",   "snail",
        "snake",       "spider",        "squirrel",  "streetcar",  "sunflower",    "sweet_pepper",
        "table",       "tank",          "telephone", "television", "tiger",        "tractor",
        "train",       "trout",         "tulip",     "turtle",     "wardrobe",     "whale",
        "willow_tree", "wolf",          "woman",     "worm"};
    return names;
}

const std::vector<std::string>& cifarCoarseNames()
{
    static const std::vector<std::string> names = {"aquatic_mammals",
                                                   "fish",
                                                   "flowers",
                                                   "food_containers",
                                                   "fruit_and_vegetables",
                                                   "household_electrical_devices",
                                                   "household_furniture",
                                                   "insects",
                                                   "large_carnivores",
                                                   "large_man-made_outdoor_things",
                                                   "large_natural_outdoor_scenes",
                                                   "large_omnivores_and_herbivores",
                                                   "medium_mammals",
                                                   "non-insect_invertebrates",
                                                   "people",
                                                   "reptiles",
                                                   "small_mammals",
                                                   "trees",
                                                   "vehicles_1",
                                                   "vehicles_2"};
    return names;
}

int cifarCoarseOf(int fine)
{
    static const std::vector<std::vector<std::string>> members = {
        {"beaver", "dolphin", "otter", "seal", "whale"},
        {"aquarium_fish", "flatfish", "ray", "shark", "trout"},
        {"orchid", "poppy", "rose", "sunflower", "tulip"},
        {"bottle", "bowl", "can", "cup", "plate"},
        {"apple", "mushroom", "orange", "pear", "sweet_pepper"},
        {"clock", "keyboard", "lamp", "telephone", "television"},
        {"bed", "chair", "couch", "table", "wardrobe"},
        {"bee", "beetle", "butterfly", "caterpillar", "cockroach"},
        {"bear", "leopard", "lion", "tiger", "wolf"},
        {"bridge", "castle", "house", "road", "skyscraper"},
        {"cloud", "forest", "mountain", "plain", "sea"},
        {"camel", "cattle", "chimpanzee", "elephant", "kangaroo"},
        {"fox", "porcupine", "possum", "raccoon", "skunk"},
        {"crab", "lobster", "snail", "spider", "worm"},
        {"baby", "boy", "girl", "man", "woman"},
        {"crocodile", "dinosaur", "lizard", "snake", "turtle"},
        {"hamster", "mouse", "rabbit", "shrew", "squirrel"},
        {"maple_tree", "oak_tree", "palm_tree", "pine_tree", "willow_tree"},
        {"bicycle", "bus", "motorcycle", "pickup_truck", "train"},
        {"lawn_mower", "rocket", "streetcar", "tank", "tractor"}};
    const std::string& name = cifarFineNames().at(fine);
    for (size_t c = 0; c < members.size(); ++c)
        for (const auto& m : members[c])
            if (m == name)
                return static_cast<int>(c);
    throw std::runtime_error("no superclass for " + name);
}

std::string cifarRecord(int coarse, int fine, int serial)
{
    std::string r(3074, '\0');
    r[0] = static_cast<char>(coarse);
    r[1] = static_cast<char>(fine);
    for (int i = 0; i < 3072; ++i)
        r[2 + i] = static_cast<char>((fine * 13 + serial * 7 + i / 1024 * 50 + (i % 1024) / 32) & 0xFF);
    return r;
}

fs::path writeCifarFolder(const fs::path& dir, int perClassTrain, int perClassTest,
                          const std::vector<std::string>& empty)
{
    const fs::path d = dir / "cifar-100-binary";
    std::string train, test, fine, coarse;
    for (int f = 0; f < 100; ++f) {
        fine += cifarFineNames()[f] + "\n";
        if (std::find(empty.begin(), empty.end(), cifarFineNames()[f]) != empty.end())
            continue;
        for (int i = 0; i < perClassTrain; ++i)
            train += cifarRecord(cifarCoarseOf(f), f, i);
        for (int i = 0; i < perClassTest; ++i)
            test += cifarRecord(cifarCoarseOf(f), f, 1000 + i);
    }
    for (const auto& c : cifarCoarseNames())
        coarse += c + "\n";
    writeBytes(d / "train.bin", train);
    writeBytes(d / "test.bin", test);
    writeBytes(d / "fine_label_names.txt", fine);
    writeBytes(d / "coarse_label_names.txt", coarse);
    return d;
}

void makeTarGz(const fs::path& root, const std::string& sub, const fs::path& archive)
{
    struct archive* a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    archive_write_open_filename(a, archive.c_str());
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(root / sub))
        if (e.is_regular_file())
            files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        const std::string bytes = readBytes(file);
        struct archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, fs::relative(file, root).c_str());
        archive_entry_set_size(entry, static_cast<la_int64_t>(bytes.size()));
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_perm(entry, 0644);
        archive_write_header(a, entry);
        archive_write_data(a, bytes.data(), bytes.size());
        archive_entry_free(entry);
    }
    archive_write_close(a);
    archive_write_free(a);
}

void writeGzip(const fs::path& file, const std::string& bytes)
{
    fs::create_directories(file.parent_path());
    struct archive* a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_raw(a);
    archive_write_open_filename(a, file.c_str());
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, "data");
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_size(entry, static_cast<la_int64_t>(bytes.size()));
    archive_write_header(a, entry);
    archive_write_data(a, bytes.data(), bytes.size());
    archive_entry_free(entry);
    archive_write_close(a);
    archive_write_free(a);
}

int runCommand(const std::string& command, std::string* output)
{
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (!p)
        return -1;
    std::array<char, 4096> buf;
    std::string out;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
        out.append(buf.data(), n);
    const int status = ::pclose(p);
    if (output)
        *output = out;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace maml::test
