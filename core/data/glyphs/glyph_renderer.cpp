#include "core/data/glyphs/glyph_renderer.h"

#include "core/util/error.h"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <opencv2/imgproc.hpp>

namespace maml {

namespace {
/// Copies a FreeType bitmap (8-bit gray or 1-bit mono) into a Mat.
cv::Mat toMat(const FT_Bitmap& bm)
{
    cv::Mat out(static_cast<int>(bm.rows), static_cast<int>(bm.width), CV_8U, cv::Scalar(0));
    for (int y = 0; y < out.rows; ++y) {
        const unsigned char* row = bm.buffer + static_cast<ptrdiff_t>(y) * bm.pitch;
        for (int x = 0; x < out.cols; ++x)
            out.at<uchar>(y, x) =
                bm.pixel_mode == FT_PIXEL_MODE_MONO ? ((row[x >> 3] >> (7 - (x & 7))) & 1) * 255 : row[x];
    }
    return out;
}

/// Crops to pixels with real ink; empty when there is (almost) none.
cv::Mat cropToInk(const cv::Mat& img)
{
    if (img.empty())
        return {};
    cv::Mat mask = img > 64;
    if (cv::countNonZero(mask) < 4)
        return {};
    return img(cv::boundingRect(mask)).clone();
}

bool sameImage(const cv::Mat& a, const cv::Mat& b)
{
    return !a.empty() && !b.empty() && a.size() == b.size() && cv::countNonZero(a != b) == 0;
}
} // namespace

struct GlyphRenderer::Impl {
    FT_Library library = nullptr;
    std::vector<FT_Face> faces;
    std::vector<bool> unicode;
};

GlyphRenderer::GlyphRenderer(const std::vector<GlyphFont>& fonts, int pixelSize)
    : m_impl(std::make_unique<Impl>())
{
    if (FT_Init_FreeType(&m_impl->library) != 0)
        throw Error("FreeType could not be initialised", "glyphs");
    for (const auto& font : fonts) {
        FT_Face f = nullptr;
        if (FT_New_Face(m_impl->library, font.path.c_str(), 0, &f) != 0) {
            for (FT_Face g : m_impl->faces)
                FT_Done_Face(g);
            FT_Done_FreeType(m_impl->library);
            throw Error("FreeType cannot open this font file", font.path.string(),
                        "Reinstall the font package (packaging/install-deps.sh)");
        }
        FT_Set_Pixel_Sizes(f, 0, static_cast<FT_UInt>(pixelSize));
        // A font without a Unicode map (symbol-encoded) would draw the wrong characters.
        m_impl->unicode.push_back(FT_Select_Charmap(f, FT_ENCODING_UNICODE) == 0);
        m_impl->faces.push_back(f);
    }
    for (int i = 0; i < fontCount(); ++i)
        m_notdef.push_back(renderIndex(i, 0));
}

GlyphRenderer::~GlyphRenderer()
{
    for (FT_Face f : m_impl->faces)
        FT_Done_Face(f);
    FT_Done_FreeType(m_impl->library);
}

int GlyphRenderer::fontCount() const
{
    return static_cast<int>(m_impl->faces.size());
}

unsigned GlyphRenderer::glyphIndex(int font, char32_t codepoint) const
{
    if (!m_impl->unicode.at(font))
        return 0;
    return FT_Get_Char_Index(m_impl->faces.at(font), static_cast<FT_ULong>(codepoint));
}

cv::Mat GlyphRenderer::renderIndex(int font, unsigned index) const
{
    FT_Face f = m_impl->faces.at(font);
    if (FT_Load_Glyph(f, index, FT_LOAD_NO_BITMAP | FT_LOAD_NO_HINTING) != 0)
        return {};
    if (FT_Render_Glyph(f->glyph, FT_RENDER_MODE_NORMAL) != 0)
        return {};
    return cropToInk(toMat(f->glyph->bitmap));
}

cv::Mat GlyphRenderer::render(int font, char32_t codepoint) const
{
    const unsigned index = glyphIndex(font, codepoint);
    if (index == 0)
        return {};
    cv::Mat img = renderIndex(font, index);
    if (sameImage(img, m_notdef.at(font)))
        return {};
    return img;
}

} // namespace maml
