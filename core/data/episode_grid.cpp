#include "core/data/episode_grid.h"

#include "core/data/image_io.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdio>

namespace maml {

namespace {
constexpr int kMargin = 10;
constexpr int kGap = 4;
constexpr int kGroupGap = 18;
constexpr int kTitleHeight = 26;
constexpr int kHeaderHeight = 20;
constexpr int kMaxLabelWidth = 320;
const int kFont = cv::FONT_HERSHEY_SIMPLEX;
constexpr double kFontScale = 0.45;
const cv::Scalar kInk(30, 30, 30), kGrey(150, 150, 150), kWhite(255, 255, 255);

/// Layout of the grid, computed once from the episode's shape.
struct Layout {
    int ways, shots, queries, cell, labelWidth;
    int rowHeight() const { return cell + kGap; }
    int supportX(int i) const { return kMargin + labelWidth + i * (cell + kGap); }
    int queryX(int i) const { return supportX(shots) + kGroupGap + i * (cell + kGap); }
    int top() const { return kMargin + kTitleHeight + kHeaderHeight; }
    cv::Size size() const { return {queryX(queries) + kMargin, top() + ways * rowHeight() + kMargin}; }
};

std::string rowLabel(const Episode& ep, int label)
{
    std::string s = std::to_string(label) + ": " + asciiLabel(ep.classNames.at(label));
    while (s.size() > 4 && cv::getTextSize(s, kFont, kFontScale, 1, nullptr).width > kMaxLabelWidth)
        s = s.substr(0, s.size() - 4) + "...";
    return s;
}

Layout makeLayout(const Episode& ep, const EpisodeGridOptions& options)
{
    Layout l{};
    l.ways = ep.ways();
    if (l.ways == 0 || !ep.supportX.defined() || ep.supportX.dim() != 4)
        throw Error("the episode has no images to draw", "episode grid", "");
    l.shots = static_cast<int>(ep.supportX.size(0)) / l.ways;
    l.queries = static_cast<int>(ep.queryX.size(0)) / l.ways;
    const int side = static_cast<int>(std::max(ep.supportX.size(2), ep.supportX.size(3)));
    l.cell = side * std::max(1, (options.minCellSize + side - 1) / side);
    int widest = 0;
    for (int e = 0; e < l.ways; ++e)
        widest = std::max(widest, cv::getTextSize(rowLabel(ep, e), kFont, kFontScale, 1, nullptr).width);
    l.labelWidth = widest + 12;
    return l;
}

void drawCell(cv::Mat& canvas, const torch::Tensor& image, int x, int y, int cell)
{
    cv::Mat bgr = tensorToMat(image), big;
    cv::resize(bgr, big, cv::Size(cell, cell), 0, 0, cv::INTER_NEAREST);
    big.copyTo(canvas(cv::Rect(x, y, cell, cell)));
    cv::rectangle(canvas, cv::Rect(x - 1, y - 1, cell + 2, cell + 2), kGrey, 1);
}

void drawText(cv::Mat& canvas, const std::string& text, int x, int baseline, const cv::Scalar& colour)
{
    cv::putText(canvas, text, cv::Point(x, baseline), kFont, kFontScale, colour, 1, cv::LINE_AA);
}
} // namespace

std::string asciiLabel(const std::string& text)
{
    std::string out;
    for (size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        const int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        uint32_t cp = c & (0x3F >> extra);
        for (int k = 1; k <= extra && i + k < text.size(); ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
        char buf[16];
        std::snprintf(buf, sizeof buf, "U+%04X", cp);
        out += buf;
        i += 1 + extra;
    }
    return out;
}

cv::Mat renderEpisodeGrid(const Episode& ep, const EpisodeGridOptions& options)
{
    const Layout l = makeLayout(ep, options);
    cv::Mat canvas(l.size(), CV_8UC3, kWhite);
    drawText(canvas, asciiLabel(options.title), kMargin, kMargin + 14, kInk);
    const int headerBase = kMargin + kTitleHeight + 12;
    const std::string support = "support (" + std::to_string(l.shots) + ")";
    drawText(canvas, support, l.supportX(0), headerBase, kGrey);
    // With K = 1 the support column is narrower than its header: start the query header after it.
    const int supportWidth = cv::getTextSize(support, kFont, kFontScale, 1, nullptr).width;
    drawText(canvas, "query (" + std::to_string(l.queries) + ")",
             std::max(l.queryX(0), l.supportX(0) + supportWidth + 12), headerBase, kGrey);
    for (int e = 0; e < l.ways; ++e) {
        const int y = l.top() + e * l.rowHeight();
        drawText(canvas, rowLabel(ep, e), kMargin, y + l.cell / 2 + 5, kInk);
        for (int i = 0; i < l.shots; ++i)
            drawCell(canvas, ep.supportX[e * l.shots + i], l.supportX(i), y, l.cell);
        for (int i = 0; i < l.queries; ++i)
            drawCell(canvas, ep.queryX[e * l.queries + i], l.queryX(i), y, l.cell);
    }
    return canvas;
}

void writeEpisodeGrid(const std::filesystem::path& file, const Episode& episode,
                      const EpisodeGridOptions& options)
{
    // The atomic write renames over the target: never replace a device or folder (e.g. /dev/null).
    if (std::filesystem::exists(file) && !std::filesystem::is_regular_file(file))
        throw Error("not a regular file", file.string(), "Give a .png file name for --out");
    std::vector<uchar> png;
    if (!cv::imencode(".png", renderEpisodeGrid(episode, options), png))
        throw Error("cannot encode the grid as PNG", file.string(), "");
    writeFileAtomic(file, std::string(png.begin(), png.end()));
}

} // namespace maml
