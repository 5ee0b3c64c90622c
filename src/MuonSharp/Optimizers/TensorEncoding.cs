using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Optimizers;

/// <summary>
/// How optimizer states store tensors and shapes: dtype, shape, byte count, then the raw bytes. Unlike
/// TorchSharp's own tensor encoding, a reader learns the shape before anything is allocated, so a
/// state of another model is refused with both shapes named instead of being read into a tensor of
/// the wrong size (or of a size read from the wrong bytes).
/// </summary>
internal static class TensorEncoding
{
    /// <summary>No tensor in this library has more dimensions; a larger count means the bytes are not a shape.</summary>
    private const int MaxDimensions = 64;

    /// <summary>Bound on a saved list of numbers (a layout, counters): reading garbage must not allocate gigabytes.</summary>
    private const int MaxLongs = 1 << 24;

    public static void WriteShape(BinaryWriter writer, long[] shape) => WriteLongs(writer, shape);

    public static long[] ReadShape(BinaryReader reader)
    {
        var shape = ReadLongs(reader);
        if (shape.Length > MaxDimensions || shape.Any(size => size < 0))
            throw new InvalidDataException($"The optimizer state is damaged: {Show(shape)} is not a tensor shape.");
        return shape;
    }

    public static void WriteLongs(BinaryWriter writer, IReadOnlyList<long> values)
    {
        writer.Write(values.Count);
        foreach (var value in values) writer.Write(value);
    }

    public static long[] ReadLongs(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        if (count < 0 || count > MaxLongs) throw new InvalidDataException($"The optimizer state is damaged: a list of {count} numbers.");
        var values = new long[count];
        for (int i = 0; i < count; i++) values[i] = reader.ReadInt64();
        return values;
    }

    /// <summary>Writes whether there is a tensor, then its dtype, shape, byte count and bytes (copied to the CPU if needed).</summary>
    public static void WriteOptional(BinaryWriter writer, Tensor? tensor)
    {
        writer.Write(tensor is not null);
        if (tensor is null) return;
        using var scope = NewDisposeScope();
        var host = tensor.device_type == DeviceType.CPU && tensor.is_contiguous() ? tensor : tensor.cpu().contiguous();
        var bytes = host.bytes;
        writer.Write((int)tensor.dtype);
        WriteShape(writer, tensor.shape);
        writer.Write((long)bytes.Length);
        writer.Write(bytes);
    }

    /// <summary>
    /// Reads a tensor written by <see cref="WriteOptional"/> into a new CPU tensor, after checking that it
    /// has <paramref name="shape"/> and <paramref name="dtype"/>; null when none was written.
    /// </summary>
    /// <param name="reader">The stream.</param>
    /// <param name="shape">The shape the reader expects.</param>
    /// <param name="dtype">The dtype the reader expects.</param>
    /// <param name="what">The tensor as messages name it.</param>
    public static Tensor? ReadOptional(BinaryReader reader, long[] shape, ScalarType dtype, string what)
    {
        if (!reader.ReadBoolean()) return null;
        var savedType = (ScalarType)reader.ReadInt32();
        var savedShape = ReadShape(reader);
        long byteCount = reader.ReadInt64();
        if (savedType != dtype || !savedShape.SequenceEqual(shape))
            throw new InvalidDataException($"The optimizer state does not fit: {what} was saved as {savedType} {Show(savedShape)}; this optimizer keeps {dtype} {Show(shape)}.");

        var tensor = empty(shape, dtype);
        try
        {
            var bytes = tensor.bytes;
            if (byteCount != bytes.Length)
                throw new InvalidDataException($"The optimizer state is damaged: {what} has {byteCount} bytes for {dtype} {Show(shape)}, which takes {bytes.Length}.");
            ReadExactly(reader, bytes);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>Reads past a tensor written by <see cref="WriteOptional"/> without allocating it.</summary>
    public static void SkipOptional(BinaryReader reader)
    {
        if (!reader.ReadBoolean()) return;
        reader.ReadInt32();
        ReadShape(reader);
        long byteCount = reader.ReadInt64();
        if (byteCount < 0) throw new InvalidDataException("The optimizer state is damaged: a negative byte count.");
        var buffer = new byte[(int)Math.Min(byteCount, 1 << 16)];
        for (long left = byteCount; left > 0; left -= buffer.Length)
            ReadExactly(reader, buffer.AsSpan(0, (int)Math.Min(left, buffer.Length)));
    }

    /// <summary>Fills <paramref name="destination"/> or throws <see cref="EndOfStreamException"/>.</summary>
    private static void ReadExactly(BinaryReader reader, Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            int read = reader.Read(destination);
            if (read == 0) throw new EndOfStreamException();
            destination = destination[read..];
        }
    }

    /// <summary>A shape as messages show it: [4, 6].</summary>
    public static string Show(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";
}
