import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.xml.XMLConstants;
import javax.xml.transform.Source;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import net.sf.saxon.s9api.Processor;
import net.sf.saxon.s9api.Serializer;
import net.sf.saxon.s9api.XsltCompiler;
import net.sf.saxon.s9api.XsltExecutable;
import net.sf.saxon.s9api.Xslt30Transformer;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXParseException;

/**
 * Validates a batch of EN 16931 documents in one JVM, against the official XSD (JDK's validator) and the official
 * compiled schematron (Saxon-HE), so the JVM start and the stylesheet compilation (seconds each) are paid once a batch.
 *
 * Usage: java -cp saxon.jar:xmlresolver.jar:classes OfficialValidator CONFIG MANIFEST
 * CONFIG: lines `key<TAB>path[<TAB>path...]` naming `xslt.ubl`, `xslt.cii`, `xsd.ubl-invoice`, `xsd.ubl-creditnote`,
 * `xsd.cii` (an XSD key may list several files, the imported ones first).
 * MANIFEST: lines `syntax<TAB>input<TAB>outputBase`, syntax one of ubl-invoice, ubl-creditnote, cii.
 * For each input it writes `outputBase.xsd.txt` (one XSD error a line, empty when valid) and `outputBase.svrl` (the
 * schematron's report), or `outputBase.error.txt` when the schematron could not run (e.g. the file is not XML).
 */
public final class OfficialValidator {
  private final Map<String, String> config = new ConcurrentHashMap<>();
  private final Processor saxon = new Processor(false);
  private final Map<String, XsltExecutable> stylesheets = new ConcurrentHashMap<>();
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: OfficialValidator CONFIG MANIFEST");
      System.exit(2);
    }
    OfficialValidator validator = new OfficialValidator();
    for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
      String[] parts = line.split("\t", 2);
      if (parts.length == 2) validator.config.put(parts[0], parts[1]);
    }
    List<String[]> jobs = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8)) {
      if (!line.isEmpty()) jobs.add(line.split("\t", 3));
    }
    // Compile and load what the batch needs before the workers start, so a broken installation fails once, briefly.
    try {
      for (String[] job : jobs) {
        validator.stylesheet(job[0]);
        validator.schema(job[0]);
      }
    } catch (RuntimeException e) {
      System.err.println(e.getMessage());
      System.exit(3);
    }
    // Documents are independent and the compiled stylesheets and schemas are thread-safe: use every core.
    int threads = Math.max(1, Math.min(jobs.size(), Runtime.getRuntime().availableProcessors()));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> done = new ArrayList<>();
    for (String[] job : jobs) done.add(pool.submit(() -> { validator.validate(job[0], job[1], job[2]); return null; }));
    int failures = 0;
    for (Future<?> future : done) {
      try {
        future.get();
      } catch (Exception e) {
        failures++;
        e.printStackTrace();
      }
    }
    pool.shutdown();
    System.exit(failures == 0 ? 0 : 1);
  }

  private String setting(String key) {
    String value = config.get(key);
    if (value == null) throw new IllegalArgumentException("CONFIG names no " + key);
    return value;
  }

  private XsltExecutable stylesheet(String syntax) {
    String key = syntax.startsWith("ubl") ? "xslt.ubl" : "xslt.cii";
    return stylesheets.computeIfAbsent(key, k -> {
      try {
        XsltCompiler compiler = saxon.newXsltCompiler();
        return compiler.compile(new StreamSource(new File(setting(k))));
      } catch (Exception e) {
        throw new IllegalStateException("cannot compile " + setting(k) + ": " + e.getMessage(), e);
      }
    });
  }

  private Schema schema(String syntax) {
    return schemas.computeIfAbsent("xsd." + syntax, k -> {
      try {
        // Several files, imported ones first: UBL imports CCTS, XML-DSig and XAdES by namespace, without a location.
        String[] files = setting(k).split("\t");
        Source[] sources = new Source[files.length];
        for (int i = 0; i < files.length; i++) sources[i] = new StreamSource(new File(files[i]));
        SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        return factory.newSchema(sources);
      } catch (Exception e) {
        throw new IllegalStateException("cannot load " + setting(k) + ": " + e.getMessage(), e);
      }
    });
  }

  private void validate(String syntax, String input, String outputBase) throws IOException {
    List<String> xsdErrors = new ArrayList<>();
    Validator validator = schema(syntax).newValidator();
    validator.setErrorHandler(new ErrorHandler() {
      public void warning(SAXParseException e) {}
      public void error(SAXParseException e) { xsdErrors.add(describe(e)); }
      public void fatalError(SAXParseException e) { xsdErrors.add(describe(e)); }
    });
    try {
      validator.validate(new StreamSource(new File(input)));
    } catch (Exception e) {
      // fatalError was reported already for a SAXParseException; anything else is new.
      if (!(e instanceof SAXParseException)) xsdErrors.add(String.valueOf(e.getMessage()));
    }
    Files.write(Path.of(outputBase + ".xsd.txt"), xsdErrors, StandardCharsets.UTF_8);
    try {
      Xslt30Transformer transformer = stylesheet(syntax).load30();
      Serializer out = saxon.newSerializer(new File(outputBase + ".svrl"));
      transformer.transform(new StreamSource(new File(input)), out);
      out.close();
    } catch (Exception e) {
      Files.deleteIfExists(Path.of(outputBase + ".svrl"));
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      Files.writeString(Path.of(outputBase + ".error.txt"), trace.toString(), StandardCharsets.UTF_8);
    }
  }

  private static String describe(SAXParseException e) {
    return e.getLineNumber() + ":" + e.getColumnNumber() + ": " + e.getMessage().replace('\n', ' ');
  }
}
