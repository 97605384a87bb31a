<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>ArchitectureView</name>
    <message numerus="yes">
        <source>%n layer(s), {total:,} parameters</source>
        <translation>
            <numerusform>%n layer, {total:,} parameters</numerusform>
            <numerusform>%n layers, {total:,} parameters</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConfusionTableModel</name>
    <message numerus="yes">
        <source>true {true}, predicted {predicted}: %n image(s) ({share:.1f}% of {true})</source>
        <extracomment>thumbnails shown for one cell (a diagonal cell of a big class can hold thousands)</extracomment>
        <translation>
            <numerusform>true {true}, predicted {predicted}: %n image ({share:.1f}% of {true})</numerusform>
            <numerusform>true {true}, predicted {predicted}: %n images ({share:.1f}% of {true})</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConfusionView</name>
    <message numerus="yes">
        <source>{true}, correct: %n image(s)</source>
        <translation>
            <numerusform>{true}, correct: %n image</numerusform>
            <numerusform>{true}, correct: %n images</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{true}, predicted as {predicted}: %n image(s)</source>
        <translation>
            <numerusform>{true}, predicted as {predicted}: %n image</numerusform>
            <numerusform>{true}, predicted as {predicted}: %n images</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Copying %n image(s) to {folder}…</source>
        <translation>
            <numerusform>Copying %n image to {folder}…</numerusform>
            <numerusform>Copying %n images to {folder}…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Copied %n misclassified image(s) to {folder}</source>
        <translation>
            <numerusform>Copied %n misclassified image to {folder}</numerusform>
            <numerusform>Copied %n misclassified images to {folder}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>; %n failed: {reason}</source>
        <translation>
            <numerusform>; %n failed: {reason}</numerusform>
            <numerusform>; %n failed: {reason}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ExportSummary</name>
    <message numerus="yes">
        <source>Wrote the %n selected row(s) to {path}</source>
        <translation>
            <numerusform>Wrote the %n selected row to {path}</numerusform>
            <numerusform>Wrote the %n selected rows to {path}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Wrote all %n row(s) to {path}</source>
        <translation>
            <numerusform>Wrote the only row to {path}</numerusform>
            <numerusform>Wrote all %n rows to {path}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Wrote {written} of the %n selected row(s) to {path}.</source>
        <translation>
            <numerusform>Wrote {written} of the %n selected row to {path}.</numerusform>
            <numerusform>Wrote {written} of the %n selected rows to {path}.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Wrote {written} of %n row(s) to {path}.</source>
        <translation>
            <numerusform>Wrote {written} of %n row to {path}.</numerusform>
            <numerusform>Wrote {written} of %n rows to {path}.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) not classified yet were left out: classify them (F5) and export again.</source>
        <translation>
            <numerusform>%n row not classified yet was left out: classify it (F5) and export again.</numerusform>
            <numerusform>%n rows not classified yet were left out: classify them (F5) and export again.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FeatureMapsView</name>
    <message numerus="yes">
        <source>{layer}: %n channel(s) of {h}x{w} — {path}</source>
        <translation>
            <numerusform>{layer}: %n channel of {h}x{w} — {path}</numerusform>
            <numerusform>{layer}: %n channels of {h}x{w} — {path}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LabellingMenu</name>
    <message numerus="yes">
        <source>Exported %n image(s) to {out}</source>
        <translation>
            <numerusform>Exported %n image to {out}</numerusform>
            <numerusform>Exported %n images to {out}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n label(s) are probably wrong; the most likely first.</source>
        <translation>
            <numerusform>%n label is probably wrong; the most likely first.</numerusform>
            <numerusform>%n labels are probably wrong; the most likely first.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LiveDialog</name>
    <message numerus="yes">
        <source>end of the video: %n frame(s) at {fps:.1f} frames/s</source>
        <translation>
            <numerusform>end of the video: %n frame at {fps:.1f} frames/s</numerusform>
            <numerusform>end of the video: %n frames at {fps:.1f} frames/s</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>Top-{k}: classifying %n image(s) again for their extra classes.</source>
        <translation>
            <numerusform>Top-{k}: classifying %n image again for their extra classes.</numerusform>
            <numerusform>Top-{k}: classifying %n images again for their extra classes.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) came from another model or setting; Model &gt; Classify all again (Shift+F5) classifies them with this one</source>
        <translation>
            <numerusform>%n row came from another model or setting; Model &gt; Classify all again (Shift+F5) classifies them with this one</numerusform>
            <numerusform>%n rows came from another model or setting; Model &gt; Classify all again (Shift+F5) classifies them with this one</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Added {names} and %n more: classified after the current batch.</source>
        <translation>
            <numerusform>Added {names} and %n more: classified after the current batch.</numerusform>
            <numerusform>Added {names} and %n more: classified after the current batch.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RecentFolders</name>
    <message numerus="yes">
        <source>Reopen last session (%n item(s))</source>
        <translation>
            <numerusform>Reopen last session (%n item)</numerusform>
            <numerusform>Reopen last session (%n items)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReviewView</name>
    <message numerus="yes">
        <source>Accepted %n model label(s).</source>
        <translation>
            <numerusform>Accepted %n model label.</numerusform>
            <numerusform>Accepted %n model labels.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RowActions</name>
    <message numerus="yes">
        <source>%n added image(s) hidden by the filter “{text}”: Esc in the filter box shows every row.</source>
        <translation>
            <numerusform>%n added image hidden by the filter “{text}”: Esc in the filter box shows every row.</numerusform>
            <numerusform>%n added images hidden by the filter “{text}”: Esc in the filter box shows every row.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) added in the table&apos;s order (sorted by {column}); scrolled to the first.</source>
        <translation>
            <numerusform>%n image added in the table&apos;s order (sorted by {column}); scrolled to the first.</numerusform>
            <numerusform>%n images added in the table&apos;s order (sorted by {column}); scrolled to the first.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Copied %n row(s) as CSV.</source>
        <translation>
            <numerusform>Copied %n row as CSV.</numerusform>
            <numerusform>Copied %n rows as CSV.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Put back %n row(s).</source>
        <translation>
            <numerusform>Put back %n row.</numerusform>
            <numerusform>Put back %n rows.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SortDialog</name>
    <message numerus="yes">
        <source>Move %n image(s)</source>
        <translation>
            <numerusform>Move %n image</numerusform>
            <numerusform>Move %n images</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Copy %n image(s)</source>
        <translation>
            <numerusform>Copy %n image</numerusform>
            <numerusform>Copy %n images</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ToolsMenu</name>
    <message numerus="yes">
        <source>cancelled after {scored} of %n image(s): the figures below cover those only</source>
        <translation>
            <numerusform>cancelled after {scored} of %n image: the figures below cover those only</numerusform>
            <numerusform>cancelled after {scored} of %n images: the figures below cover those only</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Moved %n image(s) into {folder}.</source>
        <translation>
            <numerusform>Moved %n image into {folder}.</numerusform>
            <numerusform>Moved %n images into {folder}.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Copied %n image(s) into {folder}.</source>
        <translation>
            <numerusform>Copied %n image into {folder}.</numerusform>
            <numerusform>Copied %n images into {folder}.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrainDialog</name>
    <message numerus="yes">
        <source>%n class(es)</source>
        <translation>
            <numerusform>%n class</numerusform>
            <numerusform>%n classes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n image(s): {train} to train on, {val} to validate with.</source>
        <translation>
            <numerusform>%n image: {train} to train on, {val} to validate with.</numerusform>
            <numerusform>%n images: {train} to train on, {val} to validate with.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) outside any class folder are not used.</source>
        <translation>
            <numerusform>%n image outside any class folder are not used.</numerusform>
            <numerusform>%n images outside any class folder are not used.</numerusform>
        </translation>
    </message>
</context>
</TS>
