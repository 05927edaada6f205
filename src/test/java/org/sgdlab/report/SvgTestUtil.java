package org.sgdlab.report;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Test helpers: parse an SVG with the JDK's XML parser and pick out elements. */
final class SvgTestUtil {

    private SvgTestUtil() {
    }

    static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    static List<Element> elements(Element root, String tag) {
        NodeList nl = root.getElementsByTagNameNS("*", tag);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nl.getLength(); i++) {
            out.add((Element) nl.item(i));
        }
        return out;
    }

    static List<String> texts(Document d) {
        List<String> out = new ArrayList<>();
        for (Element e : elements(d.getDocumentElement(), "text")) {
            out.add(e.getTextContent());
        }
        return out;
    }

    /** The {@code <g class="series">} group with the given data-label. */
    static Element series(Document d, String label) {
        for (Element g : elements(d.getDocumentElement(), "g")) {
            if ("series".equals(g.getAttribute("class")) && label.equals(g.getAttribute("data-label"))) {
                return g;
            }
        }
        return null;
    }

    /** Elements {@code tag} drawn for a series: its line group and its point group (markers, error bars). */
    static List<Element> seriesElements(Document d, String label, String tag) {
        List<Element> out = new ArrayList<>();
        for (Element g : elements(d.getDocumentElement(), "g")) {
            if (g.getAttribute("class").startsWith("series") && label.equals(g.getAttribute("data-label"))) {
                out.addAll(elements(g, tag));
            }
        }
        return out;
    }

    /** Points of a polyline as [x0, y0, x1, y1, ...]. */
    static double[] points(Element polyline) {
        String[] parts = polyline.getAttribute("points").trim().split("[ ,]");
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = Double.parseDouble(parts[i]);
        }
        return v;
    }

    /** The plot-area frames: rects stroked with the frame colour, as [x, y, w, h]. */
    static List<double[]> frames(Document d) {
        List<double[]> out = new ArrayList<>();
        for (Element r : elements(d.getDocumentElement(), "rect")) {
            if (Renderer.FRAME.equals(r.getAttribute("stroke")) && "none".equals(r.getAttribute("fill"))) {
                out.add(new double[] {Double.parseDouble(r.getAttribute("x")), Double.parseDouble(r.getAttribute("y")),
                    Double.parseDouble(r.getAttribute("width")), Double.parseDouble(r.getAttribute("height"))});
            }
        }
        return out;
    }
}
