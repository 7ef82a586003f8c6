// Tests of the Glyphs dataset (core/data/glyphs.h and core/data/glyph_*.h).
// Every test works in its own temporary cache folder.
#include "core/data/glyphs/glyph_cache.h"
#include "core/data/glyphs/glyph_catalogue.h"
#include "core/data/glyphs/glyph_dataset.h"
#include "core/data/glyphs/glyph_renderer.h"
#include "core/data/glyphs/glyphs.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

namespace fs = std::filesystem;
using namespace maml;

namespace {
fs::path makeTempDir(const std::string& tag)
{
    std::random_device rd;
    fs::path dir = fs::temp_directory_path() / ("maml-glyphs-" + tag + "-" + std::to_string(rd()));
    fs::create_directories(dir);
    return dir;
}

std::unique_ptr<GlyphDataset> open(const fs::path& cacheDir, std::uint64_t seed = 0,
                                   std::vector<fs::path> fontDirs = {})
{
    GlyphsOptions o;
    o.seed = seed;
    o.cacheDir = cacheDir;
    o.fontDirs = std::move(fontDirs);
    auto ds = openGlyphs(o);
    auto* glyphs = dynamic_cast<GlyphDataset*>(ds.get());
    EXPECT_NE(glyphs, nullptr);
    ds.release();
    return std::unique_ptr<GlyphDataset>(glyphs);
}

fs::path onlyFile(const fs::path& dir)
{
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
        files.push_back(e.path());
    EXPECT_EQ(files.size(), 1u) << dir;
    return files.empty() ? fs::path() : files.front();
}

void expectSameData(const GlyphSet& a, const GlyphSet& b)
{
    ASSERT_EQ(a.imageSize, b.imageSize);
    ASSERT_EQ(a.fontNames, b.fontNames);
    ASSERT_EQ(a.classes.size(), b.classes.size());
    for (size_t c = 0; c < a.classes.size(); ++c) {
        ASSERT_EQ(a.classes[c].name, b.classes[c].name);
        ASSERT_EQ(a.classes[c].split, b.classes[c].split);
        ASSERT_EQ(a.classes[c].samples.size(), b.classes[c].samples.size());
        for (size_t i = 0; i < a.classes[c].samples.size(); ++i) {
            EXPECT_EQ(a.classes[c].samples[i].font, b.classes[c].samples[i].font);
            EXPECT_EQ(a.classes[c].samples[i].codepoint, b.classes[c].samples[i].codepoint);
            EXPECT_EQ(a.classes[c].samples[i].pixels, b.classes[c].samples[i].pixels)
                << a.classes[c].name << " " << i;
        }
    }
}

/// One generation shared by the read-only tests (generating takes a few seconds).
class GlyphsTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        if (std::getenv("MAML_GLYPHS_DEBUG"))
            spdlog::set_level(spdlog::level::debug); // lists dropped classes and look-alikes
        s_dir = makeTempDir("shared");
        s_data = open(s_dir).release();
    }
    static void TearDownTestSuite()
    {
        delete s_data;
        s_data = nullptr;
        std::error_code ec;
        fs::remove_all(s_dir, ec);
    }
    void TearDown() override
    {
        std::error_code ec;
        for (const auto& d : m_dirs)
            fs::remove_all(d, ec);
    }
    fs::path tempDir(const std::string& tag)
    {
        m_dirs.push_back(makeTempDir(tag));
        return m_dirs.back();
    }

    static fs::path s_dir;
    static GlyphDataset* s_data;
    std::vector<fs::path> m_dirs;
};
fs::path GlyphsTest::s_dir;
GlyphDataset* GlyphsTest::s_data = nullptr;
} // namespace

TEST_F(GlyphsTest, HasAtLeast150ClassesOf20Images)
{
    EXPECT_EQ(s_data->name(), "glyphs");
    EXPECT_GE(s_data->classCount(), 150);
    EXPECT_EQ(s_data->shape(), (ImageShape{1, 28, 28}));
    for (int c = 0; c < s_data->classCount(); ++c)
        EXPECT_EQ(s_data->imageCount(c), 20) << s_data->classNames()[c];
    const std::set<std::string> names(s_data->classNames().begin(), s_data->classNames().end());
    EXPECT_EQ(names.size(), s_data->classNames().size()) << "class names must be unique";
}

TEST_F(GlyphsTest, SamplesWithinAClassAreDistinct)
{
    for (const auto& cls : s_data->glyphSet().classes) {
        std::set<std::vector<std::uint8_t>> seen;
        for (const auto& s : cls.samples)
            EXPECT_TRUE(seen.insert(s.pixels).second) << "duplicate image in class " << cls.name;
    }
}

TEST_F(GlyphsTest, ClassesUseSeveralFonts)
{
    for (const auto& cls : s_data->glyphSet().classes) {
        std::set<int> fonts;
        for (const auto& s : cls.samples)
            fonts.insert(s.font);
        EXPECT_GE(fonts.size(), 5u) << cls.name;
    }
}

TEST_F(GlyphsTest, NoBlankOrFullImages)
{
    for (int c = 0; c < s_data->classCount(); ++c)
        for (int i = 0; i < s_data->imageCount(c); ++i) {
            const auto img = s_data->image(c, i);
            ASSERT_EQ(img.sizes(), (std::vector<int64_t>{1, 28, 28}));
            EXPECT_GT(img.max().item<float>(), 0.5f) << s_data->imageSource(c, i);
            EXPECT_GE(img.min().item<float>(), 0.0f);
            const float ink = (img > 0.5f).to(torch::kFloat32).mean().item<float>();
            EXPECT_GT(ink, 0.01f) << s_data->imageSource(c, i);
            EXPECT_LT(ink, 0.7f) << s_data->imageSource(c, i);
        }
}

TEST_F(GlyphsTest, SplitsAreDisjointAndCoverEveryClass)
{
    const auto splits = s_data->splits();
    std::vector<int> seen(s_data->classCount(), 0);
    for (const char* name : {"train", "val", "test"}) {
        ASSERT_TRUE(splits.count(name)) << name;
        EXPECT_GE(splits.at(name).size(), 20u) << name << " must allow 20-way episodes";
        for (int c : splits.at(name))
            ++seen[c];
    }
    for (int c = 0; c < s_data->classCount(); ++c)
        EXPECT_EQ(seen[c], 1) << s_data->classNames()[c];
    EXPECT_EQ(splits.at("all").size(), static_cast<size_t>(s_data->classCount()));
    EXPECT_GT(splits.at("train").size(), splits.at("test").size());
}

TEST_F(GlyphsTest, SplitDependsOnlyOnTheClassName)
{
    const auto& catalogue = GlyphCatalogue::embedded();
    for (const auto& cls : s_data->glyphSet().classes)
        EXPECT_EQ(cls.split, catalogue.splitOf(cls.name)) << cls.name;

    // Fewer fonts -> fewer classes, but every class keeps its split.
    const fs::path fonts = tempDir("fonts");
    int linked = 0;
    for (const auto& f : catalogue.findFonts({}))
        if (linked < 7 && f.name.find("Because") == std::string::npos) {
            fs::create_symlink(f.path, fonts / f.name);
            ++linked;
        }
    const auto small = open(tempDir("cache"), 0, {fonts});
    EXPECT_LT(small->glyphSet().fontNames.size(), s_data->glyphSet().fontNames.size());
    for (const auto& cls : small->glyphSet().classes)
        EXPECT_EQ(cls.split, s_data->glyphSet().classes[s_data->classIndex(cls.name)].split) << cls.name;
}

TEST_F(GlyphsTest, SameSeedGivesByteIdenticalCacheFiles)
{
    const fs::path dir = tempDir("again");
    const auto again = open(dir);
    EXPECT_EQ(readFile(onlyFile(dir)), readFile(onlyFile(s_dir)));
    expectSameData(again->glyphSet(), s_data->glyphSet());
}

TEST_F(GlyphsTest, OtherSeedGivesOtherImages)
{
    const fs::path dir = tempDir("seed");
    const auto other = open(dir, 1234);
    EXPECT_NE(onlyFile(dir).filename(), onlyFile(s_dir).filename());
    ASSERT_EQ(other->classNames(), s_data->classNames());
    int differing = 0;
    for (int c = 0; c < other->classCount(); ++c)
        differing += !torch::equal(other->image(c, 0), s_data->image(c, 0));
    EXPECT_GT(differing, other->classCount() / 2);
}

TEST_F(GlyphsTest, CacheLoadEqualsFreshGeneration)
{
    const auto before = fs::last_write_time(onlyFile(s_dir));
    const auto loaded = open(s_dir);
    EXPECT_EQ(fs::last_write_time(onlyFile(s_dir)), before) << "a valid cache must not be rewritten";
    expectSameData(loaded->glyphSet(), s_data->glyphSet());
    EXPECT_EQ(loaded->location(), onlyFile(s_dir).string());
}

TEST_F(GlyphsTest, TruncatedOrCorruptCacheIsRegenerated)
{
    const std::string good = readFile(onlyFile(s_dir));
    const fs::path dir = tempDir("corrupt");
    const fs::path file = dir / onlyFile(s_dir).filename();
    std::string flipped = good;
    flipped[flipped.size() / 2] ^= 0x5A;
    for (const std::string& bad : {good.substr(0, good.size() / 3), flipped, std::string("junk")}) {
        writeFileAtomic(file, bad);
        const auto ds = open(dir);
        expectSameData(ds->glyphSet(), s_data->glyphSet());
        EXPECT_EQ(readFile(file), good) << "the cache file must be rewritten";
    }
}

TEST_F(GlyphsTest, DecodeRejectsBadBytes)
{
    const std::string good = readFile(onlyFile(s_dir));
    const auto key = std::stoull(onlyFile(s_dir).stem().string().substr(7), nullptr, 16);
    EXPECT_NO_THROW(decodeGlyphCache(good, key, "x"));
    EXPECT_THROW(decodeGlyphCache(good, key + 1, "x"), Error);
    EXPECT_THROW(decodeGlyphCache(good.substr(0, good.size() - 1), key, "x"), Error);
    EXPECT_THROW(decodeGlyphCache(std::string(), key, "x"), Error);
}

TEST_F(GlyphsTest, ImageAccessChecksIndices)
{
    EXPECT_THROW(s_data->image(-1, 0), Error);
    EXPECT_THROW(s_data->image(s_data->classCount(), 0), Error);
    EXPECT_THROW(s_data->image(0, 20), Error);
    const std::string source = s_data->imageSource(0, 0);
    EXPECT_NE(source.find("distortion"), std::string::npos) << source;
    EXPECT_TRUE(source.find(".ttf") != std::string::npos || source.find(".otf") != std::string::npos)
        << source;
}

TEST(Glyphs, MissingFontFolderNamesTheInstaller)
{
    const fs::path cache = makeTempDir("nofonts");
    GlyphsOptions o;
    o.cacheDir = cache;
    o.fontDirs = {cache / "no-such-folder"};
    try {
        openGlyphs(o);
        ADD_FAILURE() << "expected maml::Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("install-deps.sh"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("no-such-folder"), std::string::npos) << e.what();
    }
    fs::remove_all(cache);
}

TEST(Glyphs, RejectsImpossibleOptions)
{
    GlyphsOptions o;
    o.imageSize = 0;
    EXPECT_THROW(openGlyphs(o), Error);
    o.imageSize = 28;
    o.samplesPerClass = 0;
    EXPECT_THROW(openGlyphs(o), Error);
}

TEST(GlyphRenderer, MissingCharacterDrawsNothing)
{
    const auto fonts = GlyphCatalogue::embedded().findFonts({});
    auto it = std::find_if(fonts.begin(), fonts.end(),
                           [](const GlyphFont& f) { return f.name == "DejaVuSans.ttf"; });
    ASSERT_NE(it, fonts.end()) << "fonts-dejavu-core is not installed";
    GlyphRenderer renderer({*it}, 64);
    EXPECT_FALSE(renderer.render(0, U'A').empty());
    EXPECT_EQ(renderer.glyphIndex(0, U'\u4E2D'), 0u); // a CJK ideograph DejaVu Sans lacks
    EXPECT_TRUE(renderer.render(0, U'\u4E2D').empty());
    EXPECT_TRUE(renderer.render(0, U' ').empty()); // renders blank
}

// Writes a sheet of every class (one row of samples each) for a person to look at:
//   maml_core_tests --gtest_also_run_disabled_tests --gtest_filter='*SampleSheet*'
// with MAML_GLYPHS_SHEET=/path/sheet.png
TEST_F(GlyphsTest, DISABLED_SampleSheet)
{
    const char* out = std::getenv("MAML_GLYPHS_SHEET");
    ASSERT_NE(out, nullptr) << "set MAML_GLYPHS_SHEET";
    const int n = s_data->imageCount(0), cols = 2, size = 28;
    const int rows = (s_data->classCount() + cols - 1) / cols;
    cv::Mat sheet(rows * (size + 2), cols * n * (size + 1) + cols * 8, CV_8U, cv::Scalar(60));
    for (int c = 0; c < s_data->classCount(); ++c)
        for (int i = 0; i < n; ++i) {
            const auto& px = s_data->glyphSet().classes[c].samples[i].pixels;
            cv::Mat img(size, size, CV_8U, const_cast<std::uint8_t*>(px.data()));
            const int x = (c % cols) * (n * (size + 1) + 8) + i * (size + 1), y = (c / cols) * (size + 2);
            img.copyTo(sheet(cv::Rect(x, y, size, size)));
        }
    ASSERT_TRUE(cv::imwrite(out, sheet));
    std::ofstream sources(std::string(out) + ".txt");
    for (int c = 0; c < s_data->classCount(); ++c) {
        sources << s_data->classNames()[c] << ":";
        for (int i = 0; i < n; ++i)
            sources << " [" << s_data->imageSource(c, i) << "]";
        sources << "\n";
    }
}
