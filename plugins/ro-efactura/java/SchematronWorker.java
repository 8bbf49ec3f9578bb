import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import javax.xml.transform.stream.StreamSource;
import net.sf.saxon.s9api.Processor;
import net.sf.saxon.s9api.Serializer;
import net.sf.saxon.s9api.XsltExecutable;

/**
 * Keeps one Saxon-HE JVM with the CIUS-RO Schematron stylesheet compiled once (src/validate.ts).
 * Run as a single-file source program: java -cp Saxon-HE.jar SchematronWorker.java <stylesheet>.
 * Reads "<input.xml>\t<output.svrl>" lines on stdin; answers "OK\t<input>" or "ERR\t<input>\t<why>".
 */
public class SchematronWorker {
  public static void main(String[] args) throws Exception {
    Processor processor = new Processor(false);
    XsltExecutable exe = processor.newXsltCompiler().compile(new StreamSource(new File(args[0])));
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, true, "UTF-8");
    out.println("READY");
    String line;
    while ((line = in.readLine()) != null) {
      String[] parts = line.split("\t");
      if (parts.length != 2) continue;
      try {
        Serializer serializer = processor.newSerializer(new File(parts[1]));
        exe.load30().transform(new StreamSource(new File(parts[0])), serializer);
        out.println("OK\t" + parts[0]);
      } catch (Exception e) {
        out.println("ERR\t" + parts[0] + "\t" + String.valueOf(e.getMessage()).replace('\n', ' ').replace('\t', ' '));
      }
    }
  }
}
