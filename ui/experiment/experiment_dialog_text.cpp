// The text side of ExperimentDialog (issue 5): switching between images and text, the fields
// of each mode, the corpus summary and the typed domain splits.
#include "ui/experiment/experiment_dialog.h"

#include "core/engine/presets.h"
#include "core/text/text_corpus.h"
#include "ui/experiment/class_picker.h"
#include "ui/experiment/dataset_chooser.h"

#include <QBoxLayout>
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>

namespace maml::ui {
namespace {

QString corpusSummary(const TextCorpus& corpus)
{
    QStringList labels;
    for (const auto& l : corpus.labelNames())
        labels << QString::fromStdString(l).toHtmlEscaped();
    QString domains;
    for (int d = 0; d < static_cast<int>(corpus.domainNames().size()); ++d) {
        QStringList counts;
        for (int l = 0; l < static_cast<int>(corpus.labelNames().size()); ++l)
            counts << QStringLiteral("%1 %2")
                          .arg(QString::fromStdString(corpus.labelNames()[l]).toHtmlEscaped())
                          .arg(corpus.items(d, l).size());
        domains += QStringLiteral("<li><b>%1</b>: %2</li>")
                       .arg(QString::fromStdString(corpus.domainNames()[d]).toHtmlEscaped(),
                            counts.join(QStringLiteral(", ")));
    }
    return ExperimentDialog::tr(
               "<b>%1</b>: %2 labelled sentences. The labels are the classes: <b>%3</b>.<br>"
               "Domains:<ul style='margin-top:2px'>%4</ul>"
               "Every task draws all its sentences from one domain. A split is domains joined by "
               "<tt>+</tt>, each optionally cut to a fixed part: <tt>@train</tt> (80%), <tt>@val</tt> (10%), "
               "<tt>@test</tt> (10%) of every label; <tt>all</tt> stands for every domain. "
               "E.g. <tt>amazon@train+yelp@train</tt>, <tt>imdb</tt>, <tt>all@test</tt>.<br>"
               "Location: %5")
        .arg(QString::fromStdString(corpus.name()).toHtmlEscaped())
        .arg(corpus.size())
        .arg(labels.join(QStringLiteral(", ")), domains,
             QString::fromStdString(corpus.location()).toHtmlEscaped());
}

} // namespace

ExperimentConfig ExperimentDialog::textDefaults(const QString& spec)
{
    ExperimentConfig c = preset("sentiment-uci-2w5s");
    c.dataset = spec.toStdString();
    if (c.dataset != "sentiment-uci") {
        c.trainSplit = "all@train";
        c.valSplit = "all@val";
        c.testSplit = "all@test";
    }
    return c;
}

void ExperimentDialog::switchMode(bool text)
{
    ExperimentConfig c = text ? textDefaults(m_chooser->spec()) : preset(defaultPresetName());
    if (!text) {
        c.dataset = m_chooser->spec().toStdString();
        c.imageSize = m_chooser->defaultImageSize();
        c.channels = m_chooser->defaultChannels();
    }
    setConfig(c);
}

void ExperimentDialog::showModeFields(bool text)
{
    m_textMode = text;
    for (QWidget* w : {static_cast<QWidget*>(m_imageSize), static_cast<QWidget*>(m_channels),
                       static_cast<QWidget*>(m_rotations)})
        m_dataForm->setRowVisible(w, !text);
    m_settingsForm->setRowVisible(m_filters, !text);
    m_perStepBn->setEnabled(!text); // Conv-4 only
    m_modelBox->setVisible(text);
    m_pickerRole->setVisible(!text);
    m_picker->setVisible(!text);
    m_corpusInfo->setVisible(text);
    m_classBox->setTitle(text ? tr("Corpus") : tr("Classes"));
    const QString item = text ? tr("sentences") : tr("images");
    if (auto* label = qobject_cast<QLabel*>(m_settingsForm->labelForField(m_shots)))
        label->setText(tr("K-shot (support %1 per class)").arg(item));
    if (auto* label = qobject_cast<QLabel*>(m_settingsForm->labelForField(m_queries)))
        label->setText(tr("Q-query (query %1 per class)").arg(item));
    m_splitsLabel->setText(text ? tr("Domains: train / val / test") : tr("Splits: train / val / test"));
    m_splitsLayout->setDirection(text ? QBoxLayout::TopToBottom : QBoxLayout::LeftToRight);
    for (auto* combo : {m_trainSplit, m_valSplit, m_testSplit}) {
        const QString current = combo->currentText();
        combo->setEditable(text);
        combo->setCurrentText(current);
        combo->setToolTip(text ? tr("Domains joined by '+', each optionally with @train, @val or @test; "
                                    "'all' = every domain")
                               : QString());
    }
}

void ExperimentDialog::onCorpusOpened(std::shared_ptr<const TextCorpus> corpus)
{
    m_corpus = std::move(corpus);
    m_loading = false;
    m_corpusInfo->setText(corpusSummary(*m_corpus));
    refreshTextSplits();
    validate();
}

void ExperimentDialog::refreshTextSplits()
{
    QStringList suggestions{QStringLiteral("all"), QStringLiteral("all@train"), QStringLiteral("all@val"),
                            QStringLiteral("all@test")};
    for (const auto& d : m_corpus->domainNames())
        for (const char* part : {"", "@train", "@val", "@test"})
            suggestions << QString::fromStdString(d) + QLatin1String(part);
    for (auto* combo : {m_trainSplit, m_valSplit, m_testSplit}) {
        QSignalBlocker block(combo);
        const QString current = combo->currentText();
        combo->clear();
        combo->addItems(suggestions);
        if (!suggestions.contains(current))
            combo->insertItem(0, current);
        combo->setCurrentText(current);
    }
}

} // namespace maml::ui
