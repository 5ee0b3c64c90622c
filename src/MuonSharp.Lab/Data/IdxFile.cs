using System.Buffers.Binary;
using System.IO.Compression;
using MuonSharp.Lab.Experiments;

namespace MuonSharp.Lab.Data;

/// <summary>An array of unsigned bytes read from an IDX file: its dimensions and its content in row-major order.</summary>
/// <param name="Shape">Dimensions, e.g. <c>[60000, 28, 28]</c> for images or <c>[60000]</c> for labels.</param>
/// <param name="Data">The bytes, row-major; its length is the product of <paramref name="Shape"/>.</param>
public sealed record IdxArray(int[] Shape, byte[] Data);

/// <summary>
/// The IDX format of LeCun's MNIST files (yann.lecun.com/exdb/mnist): a big-endian 32-bit magic
/// number <c>0x0000TTDD</c> (TT the element type, DD the number of dimensions), DD big-endian
/// 32-bit sizes, then the elements. Only unsigned bytes (TT = 0x08) are read and written: MNIST
/// and Fashion-MNIST use nothing else. A file starting with the gzip signature is decompressed
/// first, whatever its name.
/// </summary>
public static class IdxFile
{
    /// <summary>Magic number of an image file: unsigned bytes, three dimensions <c>[n, rows, columns]</c>.</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of a label file: unsigned bytes, one dimension <c>[n]</c>.</summary>
    public const int LabelsMagic = 0x00000801;

    private const byte UnsignedByteType = 0x08;

    /// <summary>Reads an IDX file of unsigned bytes (plain or gzip-compressed).</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="LabUserException">The file is missing, not IDX, truncated or too long; the message names it.</exception>
    public static IdxArray Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = Decompressed(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new LabUserException($"Cannot read IDX file '{path}': {e.Message}");
        }
        return Parse(bytes, path);
    }

    /// <summary>Reads an image file (magic <c>0x00000803</c>): <c>[n, rows, columns]</c>.</summary>
    /// <param name="path">The file.</param>
    public static IdxArray ReadImages(string path) => Expect(Read(path), ImagesMagic, "images", path);

    /// <summary>Reads a label file (magic <c>0x00000801</c>): <c>[n]</c>.</summary>
    /// <param name="path">The file.</param>
    public static IdxArray ReadLabels(string path) => Expect(Read(path), LabelsMagic, "labels", path);

    /// <summary>Writes <paramref name="array"/> as an IDX file; gzip-compressed when the path ends in <c>.gz</c>.</summary>
    /// <param name="path">The file (overwritten).</param>
    /// <param name="array">Dimensions and bytes.</param>
    public static void Write(string path, IdxArray array)
    {
        long count = array.Shape.Aggregate(1L, (product, size) => product * size);
        if (array.Shape.Length is 0 or > 255 || array.Shape.Any(size => size < 0) || count != array.Data.Length)
            throw new ArgumentException($"Shape [{string.Join(", ", array.Shape)}] does not describe {array.Data.Length} bytes.", nameof(array));
        var header = new byte[4 + 4 * array.Shape.Length];
        BinaryPrimitives.WriteInt32BigEndian(header, UnsignedByteType << 8 | array.Shape.Length);
        for (int i = 0; i < array.Shape.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), array.Shape[i]);

        using var file = File.Create(path);
        using Stream output = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionLevel.Optimal) : file;
        output.Write(header);
        output.Write(array.Data);
    }

    private static byte[] Decompressed(byte[] bytes)
    {
        if (bytes.Length < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b) return bytes;
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        return plain.ToArray();
    }

    private static IdxArray Parse(byte[] bytes, string path)
    {
        if (bytes.Length < 4) throw Bad(path, $"only {bytes.Length} bytes, too short for an IDX header");
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        int dimensions = magic & 0xff;
        if ((magic & ~0xffff) != 0 || (magic >> 8 & 0xff) != UnsignedByteType || dimensions == 0)
            throw Bad(path, $"magic number 0x{magic:x8} is not IDX of unsigned bytes (0x{ImagesMagic:x8} images, 0x{LabelsMagic:x8} labels)");
        int headerLength = 4 + 4 * dimensions;
        if (bytes.Length < headerLength) throw Bad(path, $"truncated header: {dimensions} dimensions need {headerLength} bytes, the file has {bytes.Length}");

        var shape = new int[dimensions];
        long count = 1;
        for (int i = 0; i < dimensions; i++)
        {
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (shape[i] < 0) throw Bad(path, $"dimension {i} is negative ({shape[i]})");
            count *= shape[i];
        }
        long available = bytes.Length - headerLength;
        if (available < count) throw Bad(path, $"truncated: the header says [{string.Join(" × ", shape)}] = {count:N0} bytes of data, the file has {available:N0}");
        if (available > count) throw Bad(path, $"{available - count:N0} bytes after the [{string.Join(" × ", shape)}] data the header announces");
        return new IdxArray(shape, bytes[headerLength..]);
    }

    private static IdxArray Expect(IdxArray array, int magic, string what, string path)
    {
        int expectedDimensions = magic & 0xff;
        if (array.Shape.Length != expectedDimensions)
            throw Bad(path, $"magic number 0x{UnsignedByteType << 8 | array.Shape.Length:x8} ({array.Shape.Length} dimensions) where {what} need 0x{magic:x8}");
        return array;
    }

    private static LabUserException Bad(string path, string problem) => new($"IDX file '{path}': {problem}.");
}
