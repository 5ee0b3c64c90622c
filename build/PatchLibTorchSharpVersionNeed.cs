// Compiled by MSBuild's RoslynCodeTaskFactory from build/TorchSharpNativeFix.targets.
//
// Why this exists: TorchSharp-cpu 0.107.0 ships libLibTorchSharp.so built with GCC 13. Its
// ELF version-needs table (.gnu.version_r) asks libstdc++.so.6 for GLIBCXX_3.4.32, which the
// GCC 12 libstdc++ of Debian 12 / Ubuntu 22.04 lacks, so the dynamic loader refuses the file
// and TorchSharp reports "Failed to load native component". The only symbol tagged with that
// version is std::ios_base_library_init(), which GCC 13 references from <iostream> but no
// relocation ever binds. Re-pointing that one version need at GLIBCXX_3.4.30 (present in both
// libstdc++ generations) satisfies the loader without changing any code. Hosts whose
// libstdc++ already provides GLIBCXX_3.4.32 are left untouched.
using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class PatchLibTorchSharpVersionNeed : Task
{
    private const string MissingVersion = "GLIBCXX_3.4.32";
    private const string PresentVersion = "GLIBCXX_3.4.30";
    private const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>Every libLibTorchSharp.so copy in the build output.</summary>
    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return true;
        if (HostLibStdCxxProvides(MissingVersion))
        {
            Log.LogMessage(MessageImportance.Low, $"Host libstdc++ provides {MissingVersion}; libLibTorchSharp.so left as shipped.");
            return true;
        }
        foreach (var item in Files)
        {
            var path = item.ItemSpec;
            var bytes = File.ReadAllBytes(path);
            var outcome = Repoint(bytes);
            if (outcome == "patched")
            {
                // Write beside, then rename: an interrupted build never leaves a torn library.
                var temp = path + ".patching";
                File.WriteAllBytes(temp, bytes);
                File.Replace(temp, path, null);
                Log.LogMessage(MessageImportance.High, $"TorchSharp native fix: {path} now needs {PresentVersion} instead of {MissingVersion} (see build/TorchSharpNativeFix.targets).");
            }
            else
            {
                Log.LogMessage(MessageImportance.Low, $"TorchSharp native fix: {path}: {outcome}.");
            }
        }
        return !Log.HasLoggedErrors;
    }

    private static bool HostLibStdCxxProvides(string version)
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        };
        var needle = Encoding.ASCII.GetBytes(version + "\0");
        foreach (var candidate in candidates)
        {
            if (!File.Exists(candidate)) continue;
            return IndexOf(File.ReadAllBytes(candidate), needle, 0) >= 0;
        }
        return false; // No libstdc++ found where expected: patching is harmless, so patch.
    }

    /// <summary>Edits the Vernaux entry naming <see cref="MissingVersion"/> in place; returns what happened.</summary>
    private static string Repoint(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            return "not an ELF file, skipped";
        if (elf[4] != 2 || elf[5] != 1) return "not a little-endian ELF64 file, skipped";

        ulong sectionHeaders = BitConverter.ToUInt64(elf, 0x28);
        int entrySize = BitConverter.ToUInt16(elf, 0x3A);
        int count = BitConverter.ToUInt16(elf, 0x3C);
        for (int i = 0; i < count; i++)
        {
            int header = checked((int)sectionHeaders + i * entrySize);
            if (BitConverter.ToUInt32(elf, header + 4) != ShtGnuVerneed) continue;

            int verneed = checked((int)BitConverter.ToUInt64(elf, header + 0x18));
            int linkedStrings = (int)BitConverter.ToUInt32(elf, header + 0x28);
            int stringsHeader = checked((int)sectionHeaders + linkedStrings * entrySize);
            int strings = checked((int)BitConverter.ToUInt64(elf, stringsHeader + 0x18));
            int stringsSize = checked((int)BitConverter.ToUInt64(elf, stringsHeader + 0x20));

            int presentName = IndexOf(elf, Encoding.ASCII.GetBytes(PresentVersion + "\0"), strings, strings + stringsSize);
            if (presentName < 0) return $"{PresentVersion} not in its string table, skipped";

            for (int need = verneed; ; )
            {
                int auxCount = BitConverter.ToUInt16(elf, need + 2);
                int aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (int k = 0; k < auxCount; k++)
                {
                    int name = strings + (int)BitConverter.ToUInt32(elf, aux + 8);
                    if (ReadCString(elf, name) == MissingVersion)
                    {
                        // vna_hash (offset 0) and vna_name (offset 8) of this Vernaux entry.
                        BitConverter.GetBytes(ElfHash(PresentVersion)).CopyTo(elf, aux);
                        BitConverter.GetBytes((uint)(presentName - strings)).CopyTo(elf, aux + 8);
                        return "patched";
                    }
                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }
                uint next = BitConverter.ToUInt32(elf, need + 12);
                if (next == 0) break;
                need += (int)next;
            }
            return $"no {MissingVersion} need (already patched or not required)";
        }
        return "no version-needs section, skipped";
    }

    /// <summary>The System V ABI's ELF hash, which the loader compares with vna_hash.</summary>
    private static uint ElfHash(string name)
    {
        uint h = 0;
        foreach (char c in name)
        {
            h = (h << 4) + c;
            uint g = h & 0xf0000000;
            if (g != 0) h ^= g >> 24;
            h &= ~g;
        }
        return h;
    }

    private static string ReadCString(byte[] bytes, int start)
    {
        int end = Array.IndexOf(bytes, (byte)0, start);
        return Encoding.ASCII.GetString(bytes, start, end - start);
    }

    private static int IndexOf(byte[] haystack, byte[] needle, int from, int to = -1)
    {
        if (to < 0) to = haystack.Length;
        for (int i = from; i <= to - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }
}
