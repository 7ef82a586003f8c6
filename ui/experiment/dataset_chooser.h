#pragma once
// Which data an experiment uses. Images: Glyphs, Fashion-MNIST, CIFAR-100 (with a download),
// Omniglot or an image folder (folder picker). Text: the UCI sentiment sentences, IMDb 50k or
// a TSV/CSV/JSON-lines file (file picker). The "Images / Text" switch selects the list.

#include <QString>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace maml::ui {

class DatasetDownload;

class DatasetChooser final : public QWidget {
    Q_OBJECT
public:
    explicit DatasetChooser(QWidget* parent = nullptr);
    ~DatasetChooser() override;

    /// The spec for maml::openDataset / openTextCorpus, e.g. "glyphs", "omniglot:/data/omniglot",
    /// "sentiment-uci" or "text:/home/me/reviews.tsv".
    QString spec() const;
    void setSpec(const QString& spec);
    /// Whether the chosen dataset is text (the "Text" side of the switch).
    bool isText() const;
    /// Switches between image and text datasets (the first dataset of the mode is chosen).
    void setText(bool text);
    /// Whether `spec` names a dataset this chooser offers.
    static bool offers(const QString& spec);
    /// Whether `spec` names a text dataset (sentiment-uci, imdb50k, text:FILE): core's
    /// maml::dataKindOf(), the one place that decides.
    static bool isTextSpec(const QString& spec);
    /// Default image size and channels of the chosen kind of dataset.
    int defaultImageSize() const;
    int defaultChannels() const;

Q_SIGNALS:
    /// The spec changed (a different dataset, folder or file, or a download finished).
    void specChanged(const QString& spec);

private:
    void fillKinds(bool text);
    void onKindChanged();
    void browse();
    void refreshAvailability();
    void download();
    QString kindId() const;

    QComboBox* m_mode = nullptr;
    QComboBox* m_kind = nullptr;
    QLineEdit* m_folder = nullptr;
    QPushButton* m_browse = nullptr;
    QPushButton* m_download = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    DatasetDownload* m_downloadJob = nullptr;
};

} // namespace maml::ui
