#include "ui/adapt/text_query_panel.h"

#include "ui/adapt/text_class_box.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QTextDocumentFragment>
#include <QVBoxLayout>

#include <algorithm>

namespace maml::ui {

TextQueryPanel::TextQueryPanel(QWidget* parent) : QWidget(parent)
{
    m_edit = new QPlainTextEdit;
    m_edit->setObjectName(QStringLiteral("textQueries"));
    m_edit->setPlaceholderText(
        tr("Query sentences, one per line: after Adapt, each gets the class the adapted "
           "model predicts"));
    m_edit->setTabChangesFocus(true);
    m_hint = new QLabel(tr("<i>Type query sentences on the left and press Adapt: each gets its predicted "
                           "class and a probability per class here.</i>"));
    m_hint->setWordWrap(true);
    m_results = new QWidget;
    m_rows = new QVBoxLayout(m_results);
    m_rows->setSpacing(6);
    m_rows->addWidget(m_hint);
    m_rows->addStretch(1);
    auto* scroll = new QScrollArea;
    scroll->setObjectName(QStringLiteral("textPredictions"));
    scroll->setWidget(m_results);
    scroll->setWidgetResizable(true);
    auto* left = new QVBoxLayout;
    left->addWidget(new QLabel(tr("<b>Queries</b> (one sentence per line)")));
    left->addWidget(m_edit, 1);
    auto* right = new QVBoxLayout;
    right->addWidget(new QLabel(tr("<b>Predictions</b>")));
    right->addWidget(scroll, 1);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(left, 2);
    layout->addLayout(right, 3);
    connect(m_edit, &QPlainTextEdit::textChanged, this, &TextQueryPanel::changed);
}

QStringList TextQueryPanel::sentences() const
{
    return nonEmptyLines(m_edit->toPlainText());
}

void TextQueryPanel::setSentences(const QStringList& sentences)
{
    m_edit->setPlainText(sentences.join(QLatin1Char('\n')));
}

void TextQueryPanel::setPredictions(const QVector<QueryPrediction>& predictions)
{
    m_predictions = predictions;
    m_verdicts.clear();
    while (m_rows->count() > 0) {
        auto* item = m_rows->takeAt(0);
        if (item->widget() && item->widget() != m_hint)
            item->widget()->deleteLater();
        delete item;
    }
    m_hint->setVisible(predictions.isEmpty());
    m_rows->addWidget(m_hint);
    for (const auto& p : predictions) {
        auto* row = new QFrame;
        row->setObjectName(QStringLiteral("textPrediction"));
        row->setFrameShape(QFrame::StyledPanel);
        auto* sentence = new QLabel(p.file.toHtmlEscaped());
        sentence->setWordWrap(true);
        sentence->setTextInteractionFlags(Qt::TextSelectableByMouse);
        const auto best = std::max_element(p.probabilities.begin(), p.probabilities.end());
        auto* verdict = new QLabel(tr("&rarr; <b>%1</b> (%2%)")
                                       .arg(p.className.toHtmlEscaped())
                                       .arg(best == p.probabilities.end() ? 0 : qRound(100 * *best)));
        auto* bars = new ProbabilityBars;
        bars->setPrediction(p);
        auto* grid = new QGridLayout(row);
        grid->setContentsMargins(6, 4, 6, 4);
        grid->addWidget(sentence, 0, 0, 1, 2);
        grid->addWidget(verdict, 1, 0, Qt::AlignTop);
        grid->addWidget(bars, 1, 1);
        grid->setColumnStretch(1, 1);
        m_rows->addWidget(row);
        m_verdicts << verdict;
    }
    m_rows->addStretch(1);
}

QString TextQueryPanel::verdictText(int index) const
{
    if (index < 0 || index >= m_verdicts.size())
        return {};
    return QTextDocumentFragment::fromHtml(m_verdicts[index]->text()).toPlainText();
}

} // namespace maml::ui
