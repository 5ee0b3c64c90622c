using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Data.Sources;

/// <summary>
/// The King James Bible as plain text, from Debian. The package <c>bible-kjv-text</c> holds it
/// compressed (<c>usr/lib/bible.data</c>, "EC02 Compressed Data File"); its only reader is the
/// <c>bible</c> program of <c>bible-kjv</c>. Both .debs are downloaded and unpacked (not installed),
/// and <c>usr/bin/bible -p usr/lib "Gen1:1-Rev22:21"</c> prints the whole text: book and chapter
/// headings, then verse-numbered lines wrapped at 80 columns.
/// </summary>
public sealed class DebianKjvSource : IDatasetSource
{
    /// <summary>The package holding the compressed text.</summary>
    public const string TextPackage = "bible-kjv-text";

    /// <summary>The package holding the <c>bible</c> reader.</summary>
    public const string ReaderPackage = "bible-kjv";

    /// <summary>The whole Bible in the reader's reference syntax.</summary>
    public const string WholeText = "Gen1:1-Rev22:21";

    /// <inheritdoc />
    public string Dataset => DatasetNames.Kjv;

    /// <inheritdoc />
    public string Description => $"Debian packages {TextPackage} + {ReaderPackage}";

    /// <inheritdoc />
    public IReadOnlyList<SplitCount>? ExpectedSplits => null;

    /// <inheritdoc />
    public IReadOnlyList<RecordedFile> Acquire(string outputFolder, string workFolder, IRunProgress progress)
    {
        var root = Path.Combine(workFolder, "root");
        var debs = new[] { TextPackage, ReaderPackage }.Select(package =>
        {
            var deb = PackageTools.Stage(progress, $"apt-get download {package}", () => PackageTools.AptDownload(package, workFolder));
            PackageTools.Stage(progress, $"dpkg-deb -x {Path.GetFileName(deb)}", () => { PackageTools.DpkgExtract(deb, root); return 0; });
            return deb;
        }).ToArray();

        var text = PackageTools.Stage(progress, $"bible {WholeText}", () =>
        {
            var reader = Path.Combine(root, "usr", "bin", "bible");
            var result = PackageTools.Run(reader, new[] { "-p", Path.Combine(root, "usr", "lib"), WholeText }, workFolder);
            if (result.ExitCode != 0)
                throw new LabUserException($"The bible program of {ReaderPackage} failed (exit {result.ExitCode}): {result.Error.Trim().ReplaceLineEndings(" | ")}");
            return result.Output;
        });
        // The first and last verses must both be there: a truncated print would otherwise pass as a shorter Bible.
        if (!text.Contains("In the beginning God created", StringComparison.Ordinal) || !text.TrimEnd().EndsWith("Amen.", StringComparison.Ordinal))
            throw new LabUserException($"The bible program of {ReaderPackage} printed {text.Length:N0} characters that do not run from Genesis 1:1 to Revelation 22:21.");
        File.WriteAllText(Path.Combine(outputFolder, $"{Dataset}.txt"), text);
        return debs.Select(RecordedFile.Of).ToArray();
    }
}
